/*
 * csfs._csfs: the CPython binding of the csfs library (include/csfs.h).
 *
 * Every function converts its arguments, makes library calls and converts the
 * results; the descriptor logic lives only in the library, shared with the CLI.
 *
 * Calls that can run for seconds go through py_run_job(): the library call runs on
 * a helper thread while the calling thread waits with the GIL released, waking
 * every POLL_MS to let Python run its signal handlers. When one raises (Ctrl-C:
 * KeyboardInterrupt) the library's cancel flag goes up, the call is left to stop
 * and clean up after itself (outputs are only ever renamed into place when
 * complete), and the exception is then re-raised. Messages the library reports
 * meanwhile (failed CSFs, warnings) are collected and issued as CsfsWarning
 * once the call is over, so no Python code runs on library threads.
 *
 * Binding another long library call takes: a struct starting with `py_job`, a run
 * function making the call, and a Python function that fills the struct, calls
 * py_run_job() and converts the result (see descriptors below).
 */

#define CSFS_PY_IMPORT_ARRAY /* this file calls import_array() */
#include "_csfs_py.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- descriptors(path, peel=None, normalize=False, threads=None, *, layout, ...) ---------- */

typedef struct descriptors_job {
    py_job base;
    csfs_descriptor_options opt;
    csfs_matrix matrix;
    csfs_summary summary;
} descriptors_job;

static int descriptors_run(py_job *j)
{
    descriptors_job *d = (descriptors_job *)j;
    return csfs_descriptors_matrix(&d->opt, &d->matrix, &d->summary, &j->err);
}

static PyObject *py_descriptors(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path",   "peel",        "normalize",  "threads", "layout",
                             "strict", "chunk_bytes", "keep_going", "no_mmap", NULL};
    PyObject *path = NULL, *peel_obj = Py_None, *threads_obj = Py_None, *chunk_obj = Py_None;
    PyObject *layout_obj = NULL;
    int normalize = 0, strict = 0, keep_going = 0, no_mmap = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|OpO$OpOpp:descriptors", kwlist,
                                     PyUnicode_FSConverter, &path, &peel_obj, &normalize,
                                     &threads_obj, &layout_obj, &strict, &chunk_obj, &keep_going,
                                     &no_mmap))
        return NULL;
    long long threads, chunk;
    csfs_layout layout = CSFS_LAYOUT_V1;
    csfs_peel *peel = NULL;
    if ((layout_obj && py_layout_from_object(layout_obj, "layout", &layout) < 0) ||
        py_positive_or_none(threads_obj, "threads", INT_MAX, &threads) < 0 ||
        py_positive_or_none(chunk_obj, "chunk_bytes", (long long)(SIZE_MAX >> 1), &chunk) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    if (py_peel_from_object(peel_obj, 1, &peel) < 0) {
        Py_DECREF(path);
        return NULL;
    }

    descriptors_job d;
    py_job_init(&d.base, descriptors_run);
    memset(&d.matrix, 0, sizeof d.matrix);
    csfs_descriptor_options_init(&d.opt);
    d.opt.input = PyBytes_AS_STRING(path);
    d.opt.peel = peel;
    d.opt.layout = layout;
    d.opt.normalize = normalize;
    d.opt.strict = strict;
    d.opt.keep_going = keep_going;
    d.opt.threads = (int)threads;
    d.opt.chunk_bytes = (size_t)chunk;
    d.opt.no_mmap = no_mmap;
    d.opt.report = py_messages_add;
    d.opt.report_ctx = &d.base.msgs;
    d.opt.cancel = &d.base.cancel;

    PyObject *result = NULL;
    if (py_run_job(&d.base) == 0 && py_messages_warn(&d.base.msgs) == 0)
        result = py_matrix_to_array(&d.matrix);
    csfs_matrix_free(&d.matrix); /* a no-op once py_matrix_to_array took it */
    py_job_free(&d.base);
    csfs_peel_free(peel);
    Py_DECREF(path);
    return result;
}

/* ---- generate_descriptors_from_parquet(input, output, peel_subshells, ...) (rCSFs) --------- */

static int descriptors_file_run(py_job *j)
{
    descriptors_job *d = (descriptors_job *)j;
    return csfs_descriptors_run(&d->opt, &d->summary, &j->err);
}

static PyObject *py_generate_descriptors(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input_parquet",      "output_parquet", "peel_subshells",
                             "num_workers",        "normalize",      "compression",
                             "descriptor_version", "header_path",    NULL};
    PyObject *input = NULL, *output = NULL, *peel_obj, *workers_obj = Py_None;
    PyObject *compression = Py_None, *version_obj = NULL, *header_obj = Py_None;
    PyObject *header = NULL, *result = NULL;
    int normalize = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&O|OpO$OO:generate_descriptors_from_parquet",
                                     kwlist, PyUnicode_FSConverter, &input, PyUnicode_FSConverter,
                                     &output, &peel_obj, &workers_obj, &normalize, &compression,
                                     &version_obj, &header_obj))
        return NULL;
    long long workers;
    csfs_layout layout = CSFS_LAYOUT_V1;
    csfs_codec codec;
    int level;
    csfs_peel *peel = NULL;
    if ((version_obj && py_layout_from_object(version_obj, "descriptor_version", &layout) < 0) ||
        py_positive_or_none(workers_obj, "num_workers", INT_MAX, &workers) < 0 ||
        py_codec_from_object(compression, &codec, &level) < 0 ||
        py_path_or_none(header_obj, &header) < 0)
        goto done;
    if (py_peel_from_object(peel_obj, 1, &peel) < 0) goto done;

    descriptors_job d;
    py_job_init(&d.base, descriptors_file_run);
    csfs_descriptor_options_init(&d.opt);
    d.opt.input = PyBytes_AS_STRING(input);
    d.opt.output = PyBytes_AS_STRING(output);
    d.opt.peel = peel;
    d.opt.layout = layout;
    d.opt.normalize = normalize;
    d.opt.header_toml = header ? PyBytes_AS_STRING(header) : NULL;
    d.opt.force = 1; /* rCSFs replaced an existing output */
    d.opt.format = CSFS_FORMAT_PARQUET;
    d.opt.codec = codec;
    d.opt.codec_level = level;
    d.opt.threads = (int)workers;
    d.opt.report = py_messages_add;
    d.opt.report_ctx = &d.base.msgs;
    d.opt.cancel = &d.base.cancel;
    if (py_run_job(&d.base) == 0 && py_messages_warn(&d.base.msgs) == 0) {
        int v2 = layout == CSFS_LAYOUT_V2;
        uint64_t width = d.summary.columns, orbitals = d.summary.peel_count;
        result = PyDict_New();
        if (result &&
            (py_dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
             py_dict_put(result, "input_file", PyUnicode_DecodeFSDefault(d.opt.input)) < 0 ||
             py_dict_put(result, "output_file", PyUnicode_DecodeFSDefault(d.opt.output)) < 0 ||
             py_dict_put(result, "csf_count", py_u64(d.summary.csf_count)) < 0 ||
             /* rCSFs counted every row written, failed CSFs (zero rows) included */
             py_dict_put(result, "descriptor_count", py_u64(d.summary.csf_count)) < 0 ||
             py_dict_put(result, "orbital_count", py_u64(orbitals)) < 0 ||
             py_dict_put(result, "descriptor_size", py_u64(width)) < 0 ||
             (v2 && py_dict_put(result, "descriptor_version", PyLong_FromLong(2)) < 0) ||
             (v2 && py_dict_put(result, "channels_per_subshell", PyLong_FromLong(4)) < 0) ||
             py_dict_put(result, "failed_count", py_u64(d.summary.failed_count)) < 0))
            Py_CLEAR(result);
    }
    py_job_free(&d.base);
done:
    csfs_peel_free(peel);
    Py_XDECREF(header);
    Py_DECREF(input);
    Py_DECREF(output);
    return result;
}

/* ---- convert_csfs(input_path, output_path, max_line_len, chunk_size, num_workers) (rCSFs) -- */

typedef struct convert_job {
    py_job base;
    csfs_convert_options opt;
    csfs_convert_summary summary;
} convert_job;

static int convert_run(py_job *j)
{
    convert_job *c = (convert_job *)j;
    return csfs_convert_run(&c->opt, &c->summary, &j->err);
}

/* max_line_len: None is rCSFs' 256; 0 keeps lines whole (csfs); else a positive int. */
static int line_len_from_object(PyObject *obj, size_t *out)
{
    *out = 256;
    if (obj == Py_None) return 0;
    if (PyLong_Check(obj) && !PyBool_Check(obj) && PyObject_Not(obj) == 1) {
        *out = 0;
        return 0;
    }
    long long v;
    if (py_positive_or_none(obj, "max_line_len", (long long)(SIZE_MAX >> 1), &v) < 0) return -1;
    *out = (size_t)v;
    return 0;
}

static PyObject *py_convert_csfs(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input_path",  "output_path",   "max_line_len", "chunk_size",
                             "num_workers", "include_block", "no_mmap",      NULL};
    PyObject *input = NULL, *output = NULL, *len_obj = NULL, *chunk_obj = NULL;
    PyObject *workers_obj = Py_None, *result = NULL;
    int include_block = 0, no_mmap = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&|OOO$pp:convert_csfs", kwlist,
                                     PyUnicode_FSConverter, &input, PyUnicode_FSConverter, &output,
                                     &len_obj, &chunk_obj, &workers_obj, &include_block, &no_mmap))
        return NULL;
    size_t max_line_len = 256; /* rCSFs' default */
    long long chunk = 3000000, workers;
    if ((len_obj && line_len_from_object(len_obj, &max_line_len) < 0) ||
        (chunk_obj && chunk_obj != Py_None &&
         py_positive_or_none(chunk_obj, "chunk_size", LLONG_MAX, &chunk) < 0) ||
        py_positive_or_none(workers_obj, "num_workers", INT_MAX, &workers) < 0)
        goto done;

    convert_job c;
    py_job_init(&c.base, convert_run);
    csfs_convert_options_init(&c.opt);
    c.opt.input = PyBytes_AS_STRING(input);
    c.opt.output = PyBytes_AS_STRING(output);
    c.opt.max_line_len = max_line_len;
    c.opt.block_column = include_block;
    c.opt.threads = (int)workers;
    c.opt.no_mmap = no_mmap;
    c.opt.force = 1;       /* rCSFs replaced existing outputs */
    c.opt.header_toml = 1; /* <input stem>_header.toml beside the output */
    c.opt.report = py_messages_add;
    c.opt.report_ctx = &c.base.msgs;
    c.opt.cancel = &c.base.cancel;
    /* chunk_size (rCSFs' lines per batch) has no counterpart: the output never
     * depends on how the library divides its work. */
    if (py_run_job(&c.base) == 0 && py_messages_warn(&c.base.msgs) == 0) {
        result = PyDict_New();
        if (result &&
            (py_dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
             py_dict_put(result, "input_file", PyUnicode_DecodeFSDefault(c.opt.input)) < 0 ||
             py_dict_put(result, "output_file", PyUnicode_DecodeFSDefault(c.opt.output)) < 0 ||
             py_dict_put(result, "max_line_len", py_u64(max_line_len)) < 0 ||
             py_dict_put(result, "chunk_size", PyLong_FromLongLong(chunk)) < 0 ||
             py_dict_put(result, "csf_count", py_u64(c.summary.csf_count)) < 0 ||
             py_dict_put(result, "total_lines", py_u64(c.summary.total_lines)) < 0 ||
             py_dict_put(result, "truncated_count", py_u64(c.summary.truncated_count)) < 0 ||
             py_dict_put(result, "header_file", PyUnicode_DecodeFSDefault(c.summary.header_toml)) <
                 0))
            Py_CLEAR(result);
    }
    py_job_free(&c.base);
done:
    Py_DECREF(input);
    Py_DECREF(output);
    return result;
}

/* ---- parse_csf(line1, line2, line3, peel, normalize=False) --------------------------------- */

static PyObject *py_parse_csf(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"line1", "line2", "line3", "peel", "normalize", NULL};
    const char *l1, *l2, *l3;
    Py_ssize_t n1, n2, n3;
    PyObject *peel_obj;
    int normalize = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s#s#s#O|p:parse_csf", kwlist, &l1, &n1, &l2,
                                     &n2, &l3, &n3, &peel_obj, &normalize))
        return NULL;
    csfs_peel *peel;
    if (py_peel_from_object(peel_obj, 0, &peel) < 0) return NULL;
    npy_intp width = (npy_intp)csfs_row_width(CSFS_LAYOUT_V1, csfs_peel_count(peel));
    PyObject *row = PyArray_SimpleNew(1, &width, normalize ? NPY_FLOAT32 : NPY_INT32);
    if (row) {
        csfs_error err = {0};
        /* Microseconds of work: not worth releasing the GIL. */
        if (csfs_parse_csf(l1, (size_t)n1, l2, (size_t)n2, l3, (size_t)n3, peel, normalize,
                           PyArray_DATA((PyArrayObject *)row), &err) != 0) {
            Py_CLEAR(row);
            if (err.code == CSFS_E_CSF) {
                /* Bad input data given as arguments: the ValueError of int("x"). */
                PyObject *m = py_text(err.message);
                if (m) PyErr_SetObject(PyExc_ValueError, m);
                Py_XDECREF(m);
            } else {
                py_raise_error(&err);
            }
        }
    }
    csfs_peel_free(peel);
    return row;
}

static PyObject *py_peel_subshells(PyObject *self, PyObject *arg)
{
    PyObject *path;
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    csfs_peel *peel = NULL;
    csfs_error err = {0};
    PyThreadState *ts = PyEval_SaveThread();
    int rc = csfs_peel_read_any(PyBytes_AS_STRING(path), &peel, NULL, NULL, &err);
    PyEval_RestoreThread(ts);
    Py_DECREF(path);
    if (rc != 0) return py_raise_error(&err);
    PyObject *list = py_peel_to_list(peel);
    csfs_peel_free(peel);
    return list;
}

/* ---- parquet_info_json(path) ------------------------------------------------------------------
 */

static PyObject *py_parquet_info_json(PyObject *self, PyObject *arg)
{
    PyObject *path;
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    char *json = NULL;
    csfs_error err = {0};
    PyThreadState *ts = PyEval_SaveThread();
    int rc = csfs_parquet_info(PyBytes_AS_STRING(path), 1, &json, &err);
    PyEval_RestoreThread(ts);
    Py_DECREF(path);
    if (rc != 0) return py_raise_error(&err);
    PyObject *s = py_text(json);
    csfs_free(json);
    return s;
}

/* ---- read_peel_subshells(header_path) (rCSFs) --------------------------------------------- */

static PyObject *py_read_peel_subshells(PyObject *self, PyObject *arg)
{
    PyObject *path;
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    csfs_peel *peel = NULL;
    csfs_error err = {0};
    PyThreadState *ts = PyEval_SaveThread();
    int rc = csfs_peel_read_header_toml(PyBytes_AS_STRING(path), &peel, &err);
    PyEval_RestoreThread(ts);
    Py_DECREF(path);
    PyObject *list = rc == 0 ? py_peel_to_list(peel) : py_raise_error(&err);
    csfs_peel_free(peel);
    return list;
}

/* ---- read_mixing(path) ----------------------------------------------------------------------- */

typedef struct mixing_job {
    py_job base;
    const char *path;
    csfs_mix_file file;
} mixing_job;

static int mixing_run(py_job *j)
{
    mixing_job *m = (mixing_job *)j;
    return csfs_mix_file_read(m->path, &j->cancel, &m->file, &j->err);
}

/* Adds one array per name to d (NULL: only frees), each taking its buffer
 * (malloc'd; NULL for no elements); buffers not taken because of a failure
 * are freed. */
typedef struct named_buffer {
    const char *name;
    void *data;
    int nd, type;
    npy_intp *dims;
} named_buffer;

static int put_arrays(PyObject *d, named_buffer *bufs, size_t n)
{
    int rc = d ? 0 : -1;
    for (size_t i = 0; i < n; i++) {
        void *data = bufs[i].data;
        bufs[i].data = NULL;
        if (rc == 0)
            rc = py_dict_put(d, bufs[i].name,
                             py_owned_array(data, bufs[i].nd, bufs[i].dims, bufs[i].type));
        else
            free(data);
    }
    return rc;
}

/* The dict of one block; takes the block's arrays (NULL afterwards). */
static PyObject *block_dict(csfs_mix_file_block *c)
{
    npy_intp nev = c->nev > 0 ? c->nev : 0, dims[2] = {nev, c->ncf};
    named_buffer bufs[] = {{"ivec", c->ivec, 1, NPY_INT32, &nev},
                           {"eval", c->eval, 1, NPY_FLOAT64, &nev},
                           {"energies", c->energies, 1, NPY_FLOAT64, &nev},
                           {"coefficients", c->coef, 2, NPY_FLOAT64, dims}};
    c->ivec = NULL, c->eval = c->energies = c->coef = NULL;
    char jbuf[16];
    int known = c->nev > 0; /* rci writes J and parity 999 for a block without levels */
    PyObject *d = PyDict_New();
    if (!d || py_dict_put(d, "jblock", PyLong_FromLong(c->jblock)) < 0 ||
        py_dict_put(d, "ncf", PyLong_FromLong(c->ncf)) < 0 ||
        py_dict_put(d, "nev", PyLong_FromLong(c->nev)) < 0 ||
        py_dict_put(d, "iatjpo", PyLong_FromLong(c->iatjpo)) < 0 ||
        py_dict_put(d, "iaspar", PyLong_FromLong(c->iaspar)) < 0 ||
        py_dict_put(d, "two_j", c->two_j >= 0 ? PyLong_FromLong(c->two_j) : py_none()) < 0 ||
        py_dict_put(d, "j",
                    c->two_j >= 0 ? py_text(csfs_format_j(c->two_j, jbuf, sizeof jbuf))
                                  : py_none()) < 0 ||
        py_dict_put(d, "parity",
                    c->parity != '?' ? PyUnicode_FromStringAndSize(&c->parity, 1) : py_none()) <
            0 ||
        py_dict_put(d, "offset", py_u64(c->offset)) < 0 ||
        py_dict_put(d, "eav", known ? PyFloat_FromDouble(c->eav) : py_none()) < 0) {
        Py_XDECREF(d);
        d = NULL;
    }
    if (put_arrays(d, bufs, sizeof bufs / sizeof bufs[0]) < 0) Py_CLEAR(d);
    return d;
}

static PyObject *py_read_mixing(PyObject *self, PyObject *arg)
{
    PyObject *path;
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    mixing_job m;
    memset(&m, 0, sizeof m);
    py_job_init(&m.base, mixing_run);
    m.path = PyBytes_AS_STRING(path);
    PyObject *result = NULL, *header = NULL, *blocks = NULL;
    if (py_run_job(&m.base) != 0) goto done;
    csfs_mix_file *f = &m.file;
    const csfs_mix_header *h = &f->header;
    result = PyDict_New();
    header = PyDict_New();
    blocks = PyList_New((Py_ssize_t)f->n_blocks);
    if (!result || !header || !blocks) goto fail;
    if (py_dict_put(header, "nelec", PyLong_FromLong(h->nelec)) < 0 ||
        py_dict_put(header, "ncftot", PyLong_FromLong(h->ncftot)) < 0 ||
        py_dict_put(header, "nw", PyLong_FromLong(h->nw)) < 0 ||
        py_dict_put(header, "nvectot", PyLong_FromLong(h->nvectot)) < 0 ||
        py_dict_put(header, "nvecsiz", PyLong_FromLong(h->nvecsiz)) < 0 ||
        py_dict_put(header, "nblock", PyLong_FromLong(h->nblock)) < 0)
        goto fail;
    for (size_t i = 0; i < f->n_blocks; i++) {
        PyObject *b = block_dict(&f->blocks[i]);
        if (!b) goto fail;
        PyList_SET_ITEM(blocks, (Py_ssize_t)i, b);
    }
    if (py_dict_put(result, "file", PyUnicode_DecodeFSDefault(m.path)) < 0 ||
        py_dict_put(result, "size", py_u64(f->size)) < 0 ||
        py_dict_put(result, "format", py_text(f->format)) < 0 ||
        py_dict_put(result, "marker_bytes", PyLong_FromLong(f->marker_bytes)) < 0 ||
        py_dict_put(result, "byte_order", py_text(f->big_endian ? "big" : "little")) < 0)
        goto fail;
    int rc = PyDict_SetItemString(result, "header", header);
    if (rc == 0) rc = PyDict_SetItemString(result, "blocks", blocks);
    if (rc == 0) goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(header);
    Py_XDECREF(blocks);
    csfs_mix_file_free(&m.file);
    py_job_free(&m.base);
    Py_DECREF(path);
    return result;
}

/* ---- ci2_labels(path, csfs_path) ------------------------------------------------------------- */

typedef struct labels_job {
    py_job base;
    const char *mix_path, *list_path;
    csfs_mix_labels labels;
} labels_job;

static int labels_run(py_job *j)
{
    labels_job *l = (labels_job *)j;
    return csfs_mix_labels_read(l->mix_path, l->list_path, &j->cancel, &l->labels, &j->err);
}

static PyObject *py_ci2_labels(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path", "csfs_path", NULL};
    PyObject *mix = NULL, *list = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&:ci2_labels", kwlist, PyUnicode_FSConverter,
                                     &mix, PyUnicode_FSConverter, &list))
        return NULL;
    labels_job l;
    memset(&l, 0, sizeof l);
    py_job_init(&l.base, labels_run);
    l.mix_path = PyBytes_AS_STRING(mix);
    l.list_path = PyBytes_AS_STRING(list);
    PyObject *result = NULL;
    if (py_run_job(&l.base) == 0) {
        npy_intp n = (npy_intp)l.labels.rows;
        csfs_mix_labels *lb = &l.labels;
        named_buffer bufs[] = {{"row", lb->row, 1, NPY_INT64, &n},
                               {"block", lb->block, 1, NPY_INT32, &n},
                               {"pos_in_block", lb->pos_in_block, 1, NPY_INT32, &n},
                               {"nlev", lb->nlev, 1, NPY_INT32, &n},
                               {"ci2_max", lb->ci2_max, 1, NPY_FLOAT64, &n},
                               {"level_argmax", lb->level_argmax, 1, NPY_INT32, &n}};
        memset(lb, 0, sizeof *lb); /* the arrays own the buffers now */
        result = PyDict_New();
        if (put_arrays(result, bufs, sizeof bufs / sizeof bufs[0]) < 0) Py_CLEAR(result);
    }
    csfs_mix_labels_free(&l.labels);
    py_job_free(&l.base);
    Py_DECREF(mix);
    Py_DECREF(list);
    return result;
}

/* ---- export(input, output, rows=None, *, header, threads, force) ----------------------------- */

typedef struct export_job {
    py_job base;
    csfs_export_options opt;
    csfs_export_summary summary;
} export_job;

static int export_run(py_job *j)
{
    export_job *x = (export_job *)j;
    return csfs_export_run(&x->opt, &x->summary, &j->err);
}

/* Fills x->opt (x initialised by py_job_init) from input/output (bytes), header (bytes or
 * NULL) and the selection rows_obj (None: everything); *rows is then x->opt.rows. */
static int export_setup(export_job *x, PyObject *input, PyObject *output, PyObject *header,
                        PyObject *rows_obj, const char *what, uint64_t **rows)
{
    *rows = NULL;
    csfs_export_options_init(&x->opt);
    x->opt.input = PyBytes_AS_STRING(input);
    x->opt.output = PyBytes_AS_STRING(output);
    x->opt.header = header ? PyBytes_AS_STRING(header) : NULL;
    x->opt.cancel = &x->base.cancel;
    if (rows_obj == Py_None) return 0;
    x->opt.has_rows = 1;
    return py_rows_from_object(rows_obj, what, rows, &x->opt.n_rows);
}

static PyObject *py_export(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input", "output", "rows", "header", "threads", "force", NULL};
    PyObject *input = NULL, *output = NULL, *rows_obj = Py_None, *header_obj = Py_None;
    PyObject *threads_obj = Py_None, *header = NULL, *result = NULL;
    int force = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&|O$OOp:export", kwlist,
                                     PyUnicode_FSConverter, &input, PyUnicode_FSConverter, &output,
                                     &rows_obj, &header_obj, &threads_obj, &force))
        return NULL;
    long long threads;
    uint64_t *rows = NULL;
    export_job x;
    memset(&x, 0, sizeof x);
    py_job_init(&x.base, export_run);
    if (py_positive_or_none(threads_obj, "threads", INT_MAX, &threads) < 0 ||
        py_path_or_none(header_obj, &header) < 0 ||
        export_setup(&x, input, output, header, rows_obj, "rows", &rows) < 0)
        goto done;
    x.opt.rows = rows;
    x.opt.threads = (int)threads;
    x.opt.force = force;
    if (py_run_job(&x.base) == 0) {
        result = PyDict_New();
        if (result && (py_dict_put(result, "csf_count", py_u64(x.summary.csf_count)) < 0 ||
                       py_dict_put(result, "input_rows", py_u64(x.summary.input_rows)) < 0 ||
                       py_dict_put(result, "block_count", py_u64(x.summary.block_count)) < 0 ||
                       py_dict_put(result, "output_bytes", py_u64(x.summary.output_bytes)) < 0 ||
                       py_dict_put(result, "header_source",
                                   PyUnicode_DecodeFSDefault(x.summary.header_source)) < 0))
            Py_CLEAR(result);
    }
done:
    py_job_free(&x.base);
    free(rows);
    Py_XDECREF(header);
    Py_DECREF(input);
    Py_DECREF(output);
    return result;
}

/* ---- restore_csfs_from_descriptors(descriptor_parquet, header_path, output, indices) (rCSFs) - */

static PyObject *py_restore(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"descriptor_parquet", "header_path", "output", "indices", NULL};
    PyObject *input = NULL, *header = NULL, *output = NULL, *indices = Py_None, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&O&|O:restore_csfs_from_descriptors", kwlist,
                                     PyUnicode_FSConverter, &input, PyUnicode_FSConverter, &header,
                                     PyUnicode_FSConverter, &output, &indices))
        return NULL;
    uint64_t *rows = NULL;
    export_job x;
    memset(&x, 0, sizeof x);
    py_job_init(&x.base, export_run);
    if (export_setup(&x, input, output, header, indices, "indices", &rows) < 0) goto done;
    x.opt.rows = rows;
    /* rCSFs 1.3: the full restore streams with the stored block lengths (the
     * export rule); a subset keeps the given order, repeats included. */
    x.opt.given_order = indices != Py_None;
    x.opt.force = 0; /* rCSFs published with overwrite=false */
    /* rCSFs raised OSError for every failure, bad indices included. */
    if (py_run_job_as(&x.base, 0) == 0) {
        result = PyDict_New();
        if (result &&
            (py_dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
             py_dict_put(result, "output_file", PyUnicode_DecodeFSDefault(x.opt.output)) < 0 ||
             py_dict_put(result, "record_count", py_u64(x.summary.csf_count)) < 0 ||
             py_dict_put(result, "output_bytes", py_u64(x.summary.output_bytes)) < 0))
            Py_CLEAR(result);
    }
done:
    py_job_free(&x.base);
    free(rows);
    Py_DECREF(input);
    Py_DECREF(header);
    Py_DECREF(output);
    return result;
}

/* ---- split_csfs_by_j(input_csf, output_dir=None, prefix=None, *, copy_w, overwrite) (rCSFs) -- */

typedef struct split_job {
    py_job base;
    csfs_split_options opt;
    csfs_split_summary summary;
} split_job;

static int split_run(py_job *j)
{
    split_job *s = (split_job *)j;
    return csfs_split_run(&s->opt, &s->summary, &j->err);
}

/* "<prefix>_<2J><ext>" as str. */
static PyObject *split_path(const char *prefix, int32_t two_j, const char *ext)
{
    PyObject *b = PyBytes_FromFormat("%s_%d%s", prefix, (int)two_j, ext);
    if (!b) return NULL;
    PyObject *s = PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    return s;
}

static PyObject *split_output(const csfs_split_summary *sum, size_t i)
{
    PyObject *d = PyDict_New();
    if (!d || py_dict_put(d, "output_file", split_path(sum->prefix, sum->two_j[i], ".c")) < 0 ||
        py_dict_put(d, "w_file",
                    sum->w_copied ? split_path(sum->prefix, sum->two_j[i], ".w") : py_none()) < 0 ||
        py_dict_put(d, "block_index", py_u64(sum->first_block[i])) < 0 ||
        py_dict_put(d, "total_two_j", PyLong_FromLong(sum->two_j[i])) < 0 ||
        py_dict_put(d, "parity", py_text(sum->parity[i] > 0 ? "even" : "odd")) < 0 ||
        py_dict_put(d, "csf_count", py_u64(sum->csfs[i])) < 0 ||
        py_dict_put(d, "block_count", py_u64(sum->blocks[i])) < 0) {
        Py_XDECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *py_split_csfs_by_j(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input_csf", "output_dir", "prefix", "copy_w", "overwrite", NULL};
    PyObject *input = NULL, *dir_obj = Py_None, *prefix_obj = Py_None, *dir = NULL;
    PyObject *prefix = NULL, *result = NULL, *outputs = NULL;
    int copy_w = 1, overwrite = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|OO$pp:split_csfs_by_j", kwlist,
                                     PyUnicode_FSConverter, &input, &dir_obj, &prefix_obj, &copy_w,
                                     &overwrite))
        return NULL;
    if (py_path_or_none(dir_obj, &dir) < 0 || py_path_or_none(prefix_obj, &prefix) < 0) goto done;
    split_job s;
    memset(&s, 0, sizeof s);
    py_job_init(&s.base, split_run);
    csfs_split_options_init(&s.opt);
    s.opt.input = PyBytes_AS_STRING(input);
    s.opt.dir = dir ? PyBytes_AS_STRING(dir) : NULL;
    s.opt.prefix = prefix ? PyBytes_AS_STRING(prefix) : NULL;
    s.opt.copy_w = copy_w;
    s.opt.force = overwrite;
    s.opt.cancel = &s.base.cancel;
    if (py_run_job(&s.base) == 0) {
        const csfs_split_summary *sum = &s.summary;
        size_t n =
            sum->n_outputs < CSFS_SPLIT_MAX_REPORTED ? sum->n_outputs : CSFS_SPLIT_MAX_REPORTED;
        if (n < sum->n_outputs &&
            PyErr_WarnFormat(CsfsWarning, 2, "%zu files written; the first %zu are listed",
                             sum->n_outputs, n) < 0)
            goto fail;
        outputs = PyList_New((Py_ssize_t)n);
        for (size_t i = 0; outputs && i < n; i++) {
            PyObject *o = split_output(sum, i);
            if (!o) goto fail;
            PyList_SET_ITEM(outputs, (Py_ssize_t)i, o);
        }
        result = PyDict_New();
        if (!outputs || !result || py_dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
            py_dict_put(result, "input_file", PyUnicode_DecodeFSDefault(s.opt.input)) < 0 ||
            py_dict_put(result, "input_csf_count", py_u64(sum->csf_count)) < 0 ||
            py_dict_put(result, "block_count", py_u64(sum->block_count)) < 0 ||
            PyDict_SetItemString(result, "outputs", outputs) < 0)
            goto fail;
    }
    goto out;
fail:
    Py_CLEAR(result);
out:
    Py_XDECREF(outputs);
    py_job_free(&s.base);
done:
    Py_XDECREF(dir);
    Py_XDECREF(prefix);
    Py_DECREF(input);
    return result;
}

/* ---- module -----------------------------------------------------------------------------------
 */

PyMethodDef csfs_py_core_methods[] = {
    {"descriptors", (PyCFunction)(void (*)(void))py_descriptors, METH_VARARGS | METH_KEYWORDS,
     "descriptors(path, peel=None, normalize=False, threads=None, *, layout=\"v1\", strict=False, "
     "chunk_bytes=None, keep_going=False, no_mmap=False)\n--\n\n"
     "Descriptor matrix of a CSF list as an ndarray (see csfs)."},
    {"parse_csf", (PyCFunction)(void (*)(void))py_parse_csf, METH_VARARGS | METH_KEYWORDS,
     "parse_csf(line1, line2, line3, peel, normalize=False)\n--\n\n"
     "Descriptor row of one CSF (see csfs)."},
    {"peel_subshells", py_peel_subshells, METH_O,
     "peel_subshells(path, /)\n--\n\nPeel subshell list of a CSF list, header TOML or Parquet "
     "file."},
    {"parquet_info_json", py_parquet_info_json, METH_O,
     "parquet_info_json(path, /)\n--\n\nThe JSON description `csfs info --json` prints."},
    {"convert_csfs", (PyCFunction)(void (*)(void))py_convert_csfs, METH_VARARGS | METH_KEYWORDS,
     "convert_csfs(input_path, output_path, max_line_len=256, chunk_size=3000000, "
     "num_workers=None, *, include_block=False, no_mmap=False)\n--\n\nCSF list -> CSF Parquet + "
     "header TOML "
     "(see csfs)."},
    {"generate_descriptors_from_parquet", (PyCFunction)(void (*)(void))py_generate_descriptors,
     METH_VARARGS | METH_KEYWORDS,
     "generate_descriptors_from_parquet(input_parquet, output_parquet, peel_subshells, "
     "num_workers=None, normalize=False, compression=None, *, descriptor_version=1, "
     "header_path=None)\n--\n\nCSF Parquet (or list) -> descriptor Parquet (see csfs)."},
    {"export", (PyCFunction)(void (*)(void))py_export, METH_VARARGS | METH_KEYWORDS,
     "export(input, output, rows=None, *, header=None, threads=None, force=False)\n--\n\n"
     "CSF Parquet, V2 descriptor Parquet or CSF list -> GRASP text (see csfs)."},
    {"restore_csfs_from_descriptors", (PyCFunction)(void (*)(void))py_restore,
     METH_VARARGS | METH_KEYWORDS,
     "restore_csfs_from_descriptors(descriptor_parquet, header_path, output, indices=None)\n--\n\n"
     "V2 descriptor Parquet -> GRASP text, as rCSFs 1.3 (see csfs)."},
    {"split_csfs_by_j", (PyCFunction)(void (*)(void))py_split_csfs_by_j,
     METH_VARARGS | METH_KEYWORDS,
     "split_csfs_by_j(input_csf, output_dir=None, prefix=None, *, copy_w=True, "
     "overwrite=False)\n--\n\nOne CSF list per total J (see csfs)."},
    {"read_peel_subshells", py_read_peel_subshells, METH_O,
     "read_peel_subshells(header_path, /)\n--\n\nPeel subshell list of a header TOML."},
    {"read_mixing", py_read_mixing, METH_O,
     "read_mixing(path, /)\n--\n\nEverything a GRASP mixing file (.m/.cm) stores (see csfs)."},
    {"ci2_labels", (PyCFunction)(void (*)(void))py_ci2_labels, METH_VARARGS | METH_KEYWORDS,
     "ci2_labels(path, csfs_path)\n--\n\nPer-CSF CI^2 labels of a mixing file (see csfs)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "csfs._csfs",
    .m_doc = "The C extension of the csfs package: use the csfs package instead.",
    .m_size = -1,
};

/* Every binding file's method table: one line per python/csfs/_py_*.c file. */
static PyMethodDef *const method_tables[] = {
    csfs_py_core_methods,     csfs_py_list_tools_methods, csfs_py_select_methods,
    csfs_py_generate_methods, csfs_py_stream_methods,     csfs_py_interact_methods,
};

PyMODINIT_FUNC PyInit__csfs(void); /* the one exported symbol */

PyMODINIT_FUNC PyInit__csfs(void)
{
    import_array();
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    for (size_t i = 0; i < sizeof method_tables / sizeof method_tables[0]; i++)
        if (PyModule_AddFunctions(m, method_tables[i]) < 0) goto fail;
    if (py_add_exceptions(m) < 0) goto fail;
    if (PyModule_AddStringConstant(m, "library_version", csfs_version()) < 0) goto fail;
    static const struct {
        const char *name;
        int value;
    } codes[] = {{"E_IO", CSFS_E_IO},
                 {"E_FORMAT", CSFS_E_FORMAT},
                 {"E_ARGUMENT", CSFS_E_ARGUMENT},
                 {"E_NOMEM", CSFS_E_NOMEM},
                 {"E_EXISTS", CSFS_E_EXISTS},
                 {"E_CSF", CSFS_E_CSF},
                 {"E_UNSUPPORTED", CSFS_E_UNSUPPORTED},
                 {"E_CANCELLED", CSFS_E_CANCELLED}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (PyModule_AddIntConstant(m, codes[i].name, codes[i].value) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
