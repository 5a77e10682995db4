from hunch.cli import main

main()
