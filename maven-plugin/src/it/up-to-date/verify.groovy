def log = new File(basedir, 'build.log').text
assert log.count('engram: compiling loan.engram') == 1 : log
assert log.count('engram: loan.engram is up to date') == 1 : log
assert new File(basedir, 'target/classes/engram/loan.onnx').isFile()
return true
