"""The console: the Textual performance screen and the `jam` command. A client of the engine."""
