"""The speed and scale benchmark of the GON monitor: `.venv/bin/python -m bench --help`.

Every measured operation is set against a raw anchor measured in the same run on the
same input (DuckDB's read_csv, fastexcel, a plain grouped distinct count), so the table
says how far the monitor is from what the machine can do, not just how long it took.
"""
