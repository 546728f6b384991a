import sys

from signstudio.cli.main import main

sys.exit(main())
