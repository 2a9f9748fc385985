def log = new File(basedir, 'build.log').text
// the violated property, at its position, by name, with a counterexample in real units
assert log =~ /\[ERROR\] \S*loan\.engram:\d+:\d+: error\[E061\]: 'minors_never_approved' does not hold/
assert log =~ /counterexample age = [0-9.]+ years/
// the misspelt name, at its position, with the rule file's line shown
assert log =~ /\[ERROR\] \S*typo\.engram:\d+:\d+: error\[E010\]/
assert log.contains('when agee < 18')
assert log.contains('engram:compile failed for loan.engram, typo.engram')
assert !new File(basedir, 'target/classes/engram/loan.onnx').exists() : 'nothing is written when a rule is not proved'
return true
