import java.util.zip.ZipFile

def log = new File(basedir, 'build.log').text
assert log.contains('engram: compiling loan.engram')
assert log.contains('every rule proved')
assert log.contains('every statement holds')
assert log.contains('engram:compile') && log.contains('engram:verify') : 'the help goal lists both goals'

def jar = new File(basedir, 'target/compile-ok-1.0.jar')
assert jar.isFile()
def entries = new ZipFile(jar).withCloseable { z -> z.entries().collect { it.name } }
assert entries.contains('engram/loan.onnx') : "jar entries: ${entries}"
assert entries.contains('engram/loan.report.html') : "jar entries: ${entries}"
assert entries.contains('engram/loan.report.json') : "jar entries: ${entries}"
def html = new File(basedir, 'target/classes/engram/loan.report.html').text
assert html.contains('id="rule-no_minors"') && html.contains('<svg')

def original = new File(basedir, 'src/main/models/loan.onnx')
def patched = new File(basedir, 'target/classes/engram/loan.onnx')
assert patched.length() > original.length() : 'the guard adds units'
assert new File(basedir, 'target/engram/loan.epatch').isFile()
return true
