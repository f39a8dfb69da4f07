/* The mixing-file reader and list check are public: csfs/mixing.h. */
#ifndef CSFS_MIX_READER_H
#define CSFS_MIX_READER_H

#include "csfs.h"
#include "csfs/mixing.h"

#endif
