from kep.cli import main

raise SystemExit(main())
