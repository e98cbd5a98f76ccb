from cmrc_desktop.cli import main

raise SystemExit(main())
