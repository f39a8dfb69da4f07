"""An rcsfs user's script, unchanged except for its import line.

The workflow: descriptors of a CSF list in Parquet (written by rcsfs'
generate_descriptors_from_parquet -- here by `csfs descriptors`, until the
rcsfs-compatible conversion functions exist in csfs), inspected with
get_parquet_info, read with polars and pyarrow into a NumPy training matrix,
then split into mini-batches as a PyTorch DataLoader would.

    python rcsfs_style_user_script.py DESCRIPTORS.parquet [EXPECTED.npy]
"""
import sys

import numpy as np
import polars as pl
import pyarrow.parquet as pq

import csfs as rcsfs  # was: import rcsfs


def load_descriptors(path):
    info = rcsfs.get_parquet_info(path)
    print(f"{info['file_path']}: {info['num_rows']} CSFs x {info['num_columns']} "
          f"descriptor columns, {info['file_size']} bytes, {info['compression']}, "
          f"written by {info['created_by']}")
    frame = pl.read_parquet(path)
    assert frame.height == info["num_rows"] and frame.width == info["num_columns"]
    columns = [f"col_{i}" for i in range(info["num_columns"])]
    X = frame.select(columns).to_numpy()
    # The same matrix through pyarrow, as other rcsfs users read it.
    table = pq.read_table(path, columns=columns)
    X_arrow = np.column_stack([table.column(c).to_numpy() for c in columns])
    assert np.array_equal(X, X_arrow)
    return X


def batches(X, size):
    for start in range(0, X.shape[0], size):
        yield X[start:start + size]


def main(argv):
    X = load_descriptors(argv[1])
    if len(argv) > 2:
        expected = np.load(argv[2])
        assert X.shape == expected.shape and np.array_equal(X, expected), "descriptors differ"
    n = sum(b.shape[0] for b in batches(X.astype(np.float32), 8))
    assert n == X.shape[0]
    occupied = (X[:, 0::3] > 0).sum(axis=0)
    print("CSFs occupying each peel subshell:", occupied.tolist())
    print("all checks passed")


if __name__ == "__main__":
    main(sys.argv)
