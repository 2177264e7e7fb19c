from rnnviz.cli import entry

entry()
