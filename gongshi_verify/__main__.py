import sys

from gongshi_verify import report, verifier

arguments = sys.argv[1:]
sys.exit(report.main(arguments[1:]) if arguments[:1] == ["report"] else verifier.main(arguments))
