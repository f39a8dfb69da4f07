"""An rcsfs user's script, unchanged except for its import line.

The rcsfs workflow: a GRASP CSF list converted to a CSF Parquet file
(convert_csfs, which also writes the header TOML), the peel subshells read
back from that TOML (read_peel_subshells), descriptors generated from the
Parquet file (generate_descriptors_from_parquet), inspected with
get_parquet_info, read with polars and pyarrow into a NumPy training matrix,
then split into mini-batches as a PyTorch DataLoader would.

    python rcsfs_style_user_script.py CSF_LIST WORK_DIR [EXPECTED.npy]
"""
import os
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

import csfs as rcsfs  # was: import rcsfs


def convert(csf_list, work_dir):
    parquet = work_dir / (Path(csf_list).stem + ".parquet")
    stats = rcsfs.convert_csfs(str(csf_list), str(parquet), max_line_len=256,
                               chunk_size=3000000, num_workers=2)
    if not stats["success"]:
        raise RuntimeError(stats.get("error"))
    print(f"converted {stats['csf_count']} CSFs ({stats['total_lines']} lines, "
          f"{stats['truncated_count']} truncated) -> {stats['output_file']}")
    assert os.path.exists(stats["header_file"])
    return parquet, stats["header_file"], stats["csf_count"]


def generate(parquet, header_file, work_dir):
    peel_subshells = rcsfs.read_peel_subshells(header_file)
    print(f"{len(peel_subshells)} peel subshells: {' '.join(peel_subshells)}")
    output = work_dir / "descriptors.parquet"
    stats = rcsfs.generate_descriptors_from_parquet(str(parquet), str(output), peel_subshells,
                                                    num_workers=2)
    if not stats["success"]:
        raise RuntimeError(stats.get("error"))
    assert stats["descriptor_size"] == 3 * stats["orbital_count"] == 3 * len(peel_subshells)
    print(f"{stats['descriptor_count']} descriptors of {stats['descriptor_size']} values "
          f"-> {stats['output_file']}")
    return output, stats


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
    work_dir = Path(argv[2])
    work_dir.mkdir(parents=True, exist_ok=True)
    parquet, header_file, csf_count = convert(argv[1], work_dir)
    csf_frame = pl.read_parquet(parquet)
    assert csf_frame.height == csf_count
    assert csf_frame.columns[:4] == ["idx", "line1", "line2", "line3"]
    output, stats = generate(parquet, header_file, work_dir)
    X = load_descriptors(str(output))
    assert X.shape == (stats["csf_count"], stats["descriptor_size"])
    if len(argv) > 3:
        expected = np.load(argv[3])
        assert X.shape == expected.shape and np.array_equal(X, expected), "descriptors differ"
    n = sum(b.shape[0] for b in batches(X.astype(np.float32), 8))
    assert n == X.shape[0]
    occupied = (X[:, 0::3] > 0).sum(axis=0)
    print("CSFs occupying each peel subshell:", occupied.tolist())
    # The CSF text of a row of interest, from the CSF Parquet file.
    row = int(np.argmax(X[:, 0::3].sum(axis=1)))
    print(f"CSF {row}:", csf_frame["line1"][row].rstrip())
    print("all checks passed")


if __name__ == "__main__":
    main(sys.argv)
