/*
 * Bindings of csfs/select.h: select, sample, rows_to_block, block_to_rows,
 * check_rows. Arguments are converted here; every rule (order, ties,
 * sampling, block numbering, checks) is the library's.
 */
#include "_csfs_py.h"

#include <stdlib.h>
#include <string.h>

static const uint64_t no_blocks = 0;

/* ---- argument helpers ------------------------------------------------------------------- */

/* str, bytes and os.PathLike are paths; anything else is data. */
static int is_path(PyObject *o)
{
    return PyUnicode_Check(o) || PyBytes_Check(o) || PyObject_HasAttrString(o, "__fspath__");
}

/* A list given as a path (*path, a bytes object), an int (one block of that
 * many CSFs) or a sequence of block lengths (*lengths, malloc'd). */
static int list_arg(PyObject *o, const char *what, PyObject **path, uint64_t **lengths, size_t *n)
{
    *path = NULL;
    *lengths = NULL;
    *n = 0;
    if (is_path(o)) return PyUnicode_FSConverter(o, path) ? 0 : -1;
    if (PyLong_Check(o) && !PyBool_Check(o)) {
        unsigned long long v = PyLong_AsUnsignedLongLong(o);
        if (v == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Format(PyExc_ValueError, "%s: a CSF count must be a non-negative int", what);
            return -1;
        }
        *lengths = malloc(sizeof **lengths);
        if (!*lengths) {
            PyErr_NoMemory();
            return -1;
        }
        **lengths = v;
        *n = 1;
        return 0;
    }
    return py_rows_from_object(o, what, lengths, n);
}

/* Rows given as a path (read by the library's row-file reader) or ints. */
static int rows_arg(PyObject *o, const char *what, uint64_t **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (o == Py_None) return 0;
    if (!is_path(o)) return py_rows_from_object(o, what, rows, n);
    PyObject *p = NULL;
    if (!PyUnicode_FSConverter(o, &p)) return -1;
    csfs_error err = {0};
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = csfs_rows_read(PyBytes_AS_STRING(p), rows, n, &err);
    Py_END_ALLOW_THREADS Py_DECREF(p);
    if (rc) {
        py_raise_error(&err);
        return -1;
    }
    return 0;
}

static PyObject *rows_array(uint64_t *rows, size_t n)
{
    npy_intp dims[1] = {(npy_intp)n};
    return py_owned_array(rows, 1, dims, NPY_INT64); /* rows < 2^63: same bits */
}

/* ---- select(scores, *, top, threshold, cumulative, per_block, union, min_per_block,
 *             column, blocks) ------------------------------------------------------------- */

typedef struct select_job {
    py_job base;
    csfs_select_options opt;
    csfs_select_result res;
} select_job;

static int select_run(py_job *j)
{
    select_job *x = (select_job *)j;
    return csfs_select_run(&x->opt, &x->res, &j->err);
}

static int float_or_none(PyObject *o, const char *what, int *given, double *v)
{
    *given = o != Py_None;
    if (!*given) return 0;
    *v = PyFloat_AsDouble(o);
    if (*v == -1.0 && PyErr_Occurred()) return -1;
    if (*v != *v) {
        PyErr_Format(PyExc_ValueError, "%s must be a number, not NaN", what);
        return -1;
    }
    return 0;
}

static PyObject *py_select(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"scores", "top",           "threshold", "cumulative", "per_block",
                             "union",  "min_per_block", "column",    "blocks",     NULL};
    PyObject *scores = NULL, *top = Py_None, *threshold = Py_None, *cumulative = Py_None;
    PyObject *per_block = Py_None, *union_obj = Py_None, *column = Py_None, *blocks = Py_None;
    unsigned long long min_per_block = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOOOKOO:select", kwlist, &scores, &top,
                                     &threshold, &cumulative, &per_block, &union_obj,
                                     &min_per_block, &column, &blocks))
        return NULL;
    select_job x;
    memset(&x, 0, sizeof x);
    py_job_init(&x.base, select_run);
    csfs_select_options *o = &x.opt;
    csfs_select_options_init(o);
    PyObject *scores_path = NULL, *list_path = NULL, *column_b = NULL, *result = NULL;
    PyArrayObject *arr = NULL;
    uint64_t *lengths = NULL, *union_rows = NULL;
    size_t n_lengths = 0, n_union = 0;

    int modes = 0, given;
    if (top != Py_None) {
        unsigned long long k = PyLong_AsUnsignedLongLong(top);
        if (k == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "top must be a non-negative int");
            goto done;
        }
        o->mode = CSFS_SELECT_TOP;
        o->top = k;
        modes++;
    }
    if (float_or_none(threshold, "threshold", &given, &o->threshold) < 0) goto done;
    if (given) o->mode = CSFS_SELECT_THRESHOLD, modes++;
    if (float_or_none(cumulative, "cumulative", &given, &o->cumulative) < 0) goto done;
    if (given) o->mode = CSFS_SELECT_CUMULATIVE, modes++;
    if (modes != 1) {
        PyErr_SetString(PyExc_ValueError, "give exactly one of top, threshold, cumulative");
        goto done;
    }
    o->min_per_block = min_per_block;

    if (is_path(scores)) {
        if (!PyUnicode_FSConverter(scores, &scores_path)) goto done;
        o->scores_path = PyBytes_AS_STRING(scores_path);
    } else {
        PyObject *a0 = PyArray_FROM_O(scores);
        if (!a0) goto done;
        int type = PyArray_TYPE((PyArrayObject *)a0) == NPY_FLOAT32 ? NPY_FLOAT32 : NPY_FLOAT64;
        arr = (PyArrayObject *)PyArray_FROM_OTF(a0, type, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
        Py_DECREF(a0);
        if (!arr) goto done;
        if (PyArray_NDIM(arr) != 1) {
            PyErr_Format(PyExc_ValueError, "scores must be 1-D (one score a row), not %d-D",
                         PyArray_NDIM(arr));
            goto done;
        }
        o->scores = PyArray_DATA(arr);
        o->n_scores = (size_t)PyArray_SIZE(arr);
        o->scores_type = type == NPY_FLOAT32 ? CSFS_SCORES_F32 : CSFS_SCORES_F64;
    }
    if (column != Py_None) {
        if (!PyUnicode_Check(column)) {
            PyErr_SetString(PyExc_TypeError, "column must be a str");
            goto done;
        }
        column_b = PyUnicode_AsUTF8String(column);
        if (!column_b) goto done;
        o->column = PyBytes_AS_STRING(column_b);
    }
    /* per_block: True (blocks from `blocks` or the scores file), or the blocks themselves */
    PyObject *block_src = blocks;
    if (per_block != Py_None && PyBool_Check(per_block)) {
        o->per_block = per_block == Py_True;
    } else if (per_block != Py_None) {
        o->per_block = 1;
        block_src = per_block;
    }
    if (block_src != Py_None) {
        if (list_arg(block_src, "blocks", &list_path, &lengths, &n_lengths) < 0) goto done;
        o->blocks_path = list_path ? PyBytes_AS_STRING(list_path) : NULL;
        o->block_lengths = lengths;
        o->n_block_lengths = n_lengths;
        if (!list_path && !lengths) o->block_lengths = &no_blocks; /* given, and empty */
    }
    if (rows_arg(union_obj, "union", &union_rows, &n_union) < 0) goto done;
    o->union_rows = union_rows;
    o->n_union_rows = n_union;
    o->cancel = &x.base.cancel;
    if (py_run_job_as(&x.base, 1) == 0) {
        result = rows_array(x.res.rows, x.res.n_rows);
        x.res.rows = NULL; /* the array owns them now (or they were freed) */
    }
done:
    csfs_select_result_free(&x.res);
    py_job_free(&x.base);
    Py_XDECREF(arr);
    Py_XDECREF(scores_path);
    Py_XDECREF(list_path);
    Py_XDECREF(column_b);
    free(lengths);
    free(union_rows);
    return result;
}

/* ---- sample(list_path, n=None, *, fraction, per_block, seed, exclude, threads) ------------- */

typedef struct sample_job {
    py_job base;
    csfs_sample_options opt;
    csfs_sample_result res;
} sample_job;

static int sample_run(py_job *j)
{
    sample_job *x = (sample_job *)j;
    return csfs_sample_run(&x->opt, &x->res, &j->err);
}

static PyObject *py_sample(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"list_path", "n",       "fraction", "per_block",
                             "seed",      "exclude", "threads",  NULL};
    PyObject *list = NULL, *n_obj = Py_None, *fraction = Py_None, *seed_obj = NULL;
    PyObject *exclude = Py_None, *threads_obj = Py_None;
    int per_block = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$OpOOO:sample", kwlist, &list, &n_obj,
                                     &fraction, &per_block, &seed_obj, &exclude, &threads_obj))
        return NULL;
    sample_job x;
    memset(&x, 0, sizeof x);
    py_job_init(&x.base, sample_run);
    csfs_sample_options *o = &x.opt;
    csfs_sample_options_init(o);
    PyObject *path = NULL, *result = NULL;
    uint64_t *lengths = NULL, *excl = NULL;
    size_t n_lengths = 0, n_excl = 0;
    long long threads;
    int given;
    if ((n_obj == Py_None) == (fraction == Py_None)) {
        PyErr_SetString(PyExc_ValueError, "give exactly one of n and fraction");
        goto done;
    }
    if (n_obj != Py_None) {
        unsigned long long v = PyLong_AsUnsignedLongLong(n_obj);
        if (v == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "n must be a non-negative int");
            goto done;
        }
        o->n = v;
    }
    if (float_or_none(fraction, "fraction", &given, &o->fraction) < 0) goto done;
    if (given && !(o->fraction >= 0 && o->fraction <= 1)) {
        PyErr_Format(PyExc_ValueError, "fraction must be in [0, 1], not %R", fraction);
        goto done;
    }
    if (seed_obj) {
        unsigned long long s = PyLong_AsUnsignedLongLong(seed_obj);
        if (s == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "seed must be an int in [0, 2**64)");
            goto done;
        }
        o->seed = s;
    }
    if (py_positive_or_none(threads_obj, "threads", 1024, &threads) < 0) goto done;
    o->threads = (int)threads;
    o->per_block = per_block;
    if (list_arg(list, "list_path", &path, &lengths, &n_lengths) < 0) goto done;
    o->list = path ? PyBytes_AS_STRING(path) : NULL;
    o->block_lengths = lengths ? lengths : &no_blocks;
    o->n_block_lengths = n_lengths;
    if (rows_arg(exclude, "exclude", &excl, &n_excl) < 0) goto done;
    o->exclude = excl;
    o->n_exclude = n_excl;
    o->cancel = &x.base.cancel;
    if (py_run_job_as(&x.base, 1) == 0) {
        result = rows_array(x.res.rows, x.res.n_rows);
        x.res.rows = NULL;
    }
done:
    csfs_sample_result_free(&x.res);
    py_job_free(&x.base);
    Py_XDECREF(path);
    free(lengths);
    free(excl);
    return result;
}

/* ---- rows_to_block, block_to_rows, check_rows ----------------------------------------------- */

/* The blocks of a list argument (path read off the GIL, or lengths). */
static int blocks_of(PyObject *list, csfs_blocks *b)
{
    PyObject *path = NULL;
    uint64_t *lengths = NULL;
    size_t n = 0;
    if (list_arg(list, "list", &path, &lengths, &n) < 0) return -1;
    csfs_error err = {0};
    int rc;
    if (path) {
        Py_BEGIN_ALLOW_THREADS rc = csfs_blocks_read(PyBytes_AS_STRING(path), b, &err);
        Py_END_ALLOW_THREADS
    } else {
        rc = csfs_blocks_from_lengths(lengths, n, b, &err);
    }
    Py_XDECREF(path);
    free(lengths);
    if (rc) {
        py_raise_error_as(&err, 1);
        return -1;
    }
    return 0;
}

static PyObject *py_rows_to_block(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"list", "rows", NULL};
    PyObject *list, *rows_obj, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:rows_to_block", kwlist, &list, &rows_obj))
        return NULL;
    csfs_blocks b = {0};
    uint64_t *rows = NULL, *block = NULL, *pos = NULL;
    size_t n = 0;
    if (rows_arg(rows_obj, "rows", &rows, &n) < 0 || blocks_of(list, &b) < 0) goto done;
    block = malloc((n ? n : 1) * sizeof *block);
    pos = malloc((n ? n : 1) * sizeof *pos);
    if (!block || !pos) {
        PyErr_NoMemory();
        goto done;
    }
    csfs_error err = {0};
    if (csfs_rows_to_blocks(&b, rows, n, block, pos, &err) != 0) {
        py_raise_error_as(&err, 1);
        goto done;
    }
    PyObject *ba = rows_array(block, n);
    block = NULL;
    PyObject *pa = ba ? rows_array(pos, n) : NULL;
    if (ba) pos = NULL;
    if (ba && pa) result = PyTuple_Pack(2, ba, pa);
    Py_XDECREF(ba);
    Py_XDECREF(pa);
done:
    csfs_blocks_free(&b);
    free(rows);
    free(block);
    free(pos);
    return result;
}

static PyObject *py_block_to_rows(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"list", "block", "position", NULL};
    PyObject *list, *block_obj, *pos_obj, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO:block_to_rows", kwlist, &list, &block_obj,
                                     &pos_obj))
        return NULL;
    csfs_blocks b = {0};
    uint64_t *block = NULL, *pos = NULL, *rows = NULL;
    size_t nb = 0, np_ = 0;
    if (py_rows_from_object(block_obj, "block", &block, &nb) < 0 ||
        py_rows_from_object(pos_obj, "position", &pos, &np_) < 0 || blocks_of(list, &b) < 0)
        goto done;
    if (nb != np_) {
        PyErr_Format(PyExc_ValueError, "block and position differ in length (%zu and %zu)", nb,
                     np_);
        goto done;
    }
    rows = malloc((nb ? nb : 1) * sizeof *rows);
    if (!rows) {
        PyErr_NoMemory();
        goto done;
    }
    csfs_error err = {0};
    if (csfs_blocks_to_rows(&b, block, pos, nb, rows, &err) != 0) {
        py_raise_error_as(&err, 1);
        goto done;
    }
    result = rows_array(rows, nb);
    rows = NULL;
done:
    csfs_blocks_free(&b);
    free(block);
    free(pos);
    free(rows);
    return result;
}

static PyObject *py_check_rows(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"list", "rows", NULL};
    PyObject *list, *rows_obj, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:check_rows", kwlist, &list, &rows_obj))
        return NULL;
    csfs_blocks b = {0};
    uint64_t *rows = NULL;
    size_t n = 0;
    if (rows_arg(rows_obj, "rows", &rows, &n) < 0 || blocks_of(list, &b) < 0) goto done;
    csfs_error err = {0};
    if (csfs_rows_check(b.csf_count, rows, n, "rows", &err) != 0) {
        py_raise_error_as(&err, 1);
        goto done;
    }
    result = py_u64((uint64_t)n);
done:
    csfs_blocks_free(&b);
    free(rows);
    return result;
}

PyMethodDef csfs_py_select_methods[] = {
    {"select", (PyCFunction)(void (*)(void))py_select, METH_VARARGS | METH_KEYWORDS,
     "select(scores, *, top=None, threshold=None, cumulative=None, per_block=None, union=None,\n"
     "       min_per_block=0, column=None, blocks=None)\n--\n\n"
     "csfs select: the rows to keep by score, sorted ascending (int64).\n"
     "scores: a 1-D float array, or a .npy / Parquet path (column names the Parquet column).\n"
     "Order: higher score first, equal scores by lower row. Exactly one of top (K best rows),\n"
     "threshold (score >= T) or cumulative (fewest best rows reaching that fraction of the\n"
     "score sum). per_block: True (blocks from `blocks` or the scores file's metadata), or the\n"
     "blocks (a list path or block lengths): select in each block on its own. union: rows to\n"
     "keep as well (ints or a row file). min_per_block: each block keeps at least that many."},
    {"sample", (PyCFunction)(void (*)(void))py_sample, METH_VARARGS | METH_KEYWORDS,
     "sample(list_path, n=None, *, fraction=None, per_block=False, seed=0, exclude=None,\n"
     "       threads=None)\n--\n\n"
     "csfs sample: n uniform random rows without replacement (or round(fraction x available)),\n"
     "from the whole list or each block; sorted ascending (int64). The same seed gives the same\n"
     "rows on every machine and thread count. list_path: a list path, a CSF count or block\n"
     "lengths. exclude: rows never drawn (ints or a row file)."},
    {"rows_to_block", (PyCFunction)(void (*)(void))py_rows_to_block, METH_VARARGS | METH_KEYWORDS,
     "rows_to_block(list, rows)\n--\n\n"
     "Global 0-based rows to (block, position) arrays, both 1-based as GRASP numbers them.\n"
     "list: a list path or block lengths."},
    {"block_to_rows", (PyCFunction)(void (*)(void))py_block_to_rows, METH_VARARGS | METH_KEYWORDS,
     "block_to_rows(list, block, position)\n--\n\n"
     "1-based (block, position) back to global 0-based rows."},
    {"check_rows", (PyCFunction)(void (*)(void))py_check_rows, METH_VARARGS | METH_KEYWORDS,
     "check_rows(list, rows)\n--\n\n"
     "Checks rows against a list: in range, ascending, none repeated. Returns the row count;\n"
     "ValueError names the first offending entry."},
    {NULL, NULL, 0, NULL},
};
