/*
 * The peel subshell list of any file csfs reads, told apart by content:
 *   - Parquet (PAR1 magic): metadata csfs.peel_subshells (csfs CSF and
 *     descriptor files), else peel_subshells (rCSFs descriptor files), else
 *     header line 4 of the file's header (csfs.header_lines or the header
 *     TOML beside it, see grasp/csf_pq_header.h);
 *   - a header TOML (a line "[header_info]"): header_lines[3];
 *   - anything else: a CSF list (text, .zst or .gz), its header line 4.
 * Header lines give names by the rCSFs token rule (grasp/peel.h).
 */
#ifndef CSFS_PEEL_SOURCE_H
#define CSFS_PEEL_SOURCE_H

#include "csfs.h"

#include "csfs/peel.h"

#endif
