import sys

from gongshi_verify.verifier import main

sys.exit(main())
