from legemiddel.cli import main

main()
