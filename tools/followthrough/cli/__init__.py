"""The command line: one module per subcommand, errors turned into exit codes in `main`."""
