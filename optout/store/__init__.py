"""The recordings folder: run folders and ids, atomic writes, the typed reader of saved runs."""
