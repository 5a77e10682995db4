from hunch.console import main

main()
