from kep.cli import entry

entry()
