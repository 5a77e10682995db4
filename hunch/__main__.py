from hunch.cli.console import main

main()
