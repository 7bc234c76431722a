"""The command line: `python -m geo`, every write the app offers as a script, exit codes 0/1/2."""
