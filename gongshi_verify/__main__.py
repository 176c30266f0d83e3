import sys

from gongshi_verify import mark, report, verifier

arguments = sys.argv[1:]
commands = {"report": report.main, "mark": mark.main}
sys.exit(commands[arguments[0]](arguments[1:]) if arguments[:1] and arguments[0] in commands
         else verifier.main(arguments))
