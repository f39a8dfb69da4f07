/*
 * csfs.stream() and csfs.read_csfs() underneath: csfs_stream_open, its
 * ArrowArrayStream handed to Arrow consumers through the PyCapsule protocol
 * ("arrow_array_stream"), or read here batch by batch into NumPy arrays that
 * share the batch's memory.
 *
 * A stream handle and the stream it exports share one C stream (refcounted,
 * no GIL needed), so the handle can still report what was read (header,
 * blocks) after polars or pyarrow consumed and released the export.
 */
#include "_csfs_py.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HANDLE_CAPSULE "csfs.stream"
#define ARROW_STREAM_CAPSULE "arrow_array_stream"
#define BATCH_CAPSULE "csfs.arrow_batch"

typedef struct shared_stream {
    struct ArrowArrayStream inner;
    atomic_int refs;
    atomic_int exported;
    py_messages msgs;
} shared_stream;

static void shared_unref(shared_stream *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1) return;
    if (s->inner.release) s->inner.release(&s->inner);
    py_messages_free(&s->msgs);
    free(s);
}

/* ---- the exported stream: forwards to the shared one ------------------------------ */

static int fwd_get_schema(struct ArrowArrayStream *w, struct ArrowSchema *out)
{
    shared_stream *s = w->private_data;
    return s->inner.get_schema(&s->inner, out);
}

static int fwd_get_next(struct ArrowArrayStream *w, struct ArrowArray *out)
{
    shared_stream *s = w->private_data;
    return s->inner.get_next(&s->inner, out);
}

static const char *fwd_get_last_error(struct ArrowArrayStream *w)
{
    shared_stream *s = w->private_data;
    return s->inner.get_last_error(&s->inner);
}

static void fwd_release(struct ArrowArrayStream *w)
{
    if (!w->release) return;
    shared_unref(w->private_data);
    w->release = NULL;
}

static void arrow_stream_capsule_free(PyObject *capsule)
{
    struct ArrowArrayStream *w = PyCapsule_GetPointer(capsule, ARROW_STREAM_CAPSULE);
    if (!w) {
        PyErr_Clear();
        return;
    }
    if (w->release) w->release(w); /* not consumed */
    free(w);
}

static void handle_capsule_free(PyObject *capsule)
{
    shared_stream *s = PyCapsule_GetPointer(capsule, HANDLE_CAPSULE);
    if (!s) {
        PyErr_Clear();
        return;
    }
    shared_unref(s);
}

static shared_stream *handle_of(PyObject *obj)
{
    return PyCapsule_GetPointer(obj, HANDLE_CAPSULE);
}

/* ---- _stream_open ------------------------------------------------------------------- */

static PyObject *py_stream_open(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"path",       "columns",      "layout",  "normalize",
                             "rows",       "batch_rows",   "threads", "strict",
                             "keep_going", "max_line_len", "peel",    NULL};
    PyObject *path_obj, *layout_obj = NULL, *rows_obj = Py_None, *threads_obj = Py_None;
    PyObject *peel_obj = Py_None;
    unsigned int columns = 0;
    int normalize = 0, strict = 0, keep_going = 0;
    unsigned long long batch_rows = 65536, max_line_len = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|IOpOKOppKO", kwlist, PyUnicode_FSConverter,
                                     &path_obj, &columns, &layout_obj, &normalize, &rows_obj,
                                     &batch_rows, &threads_obj, &strict, &keep_going, &max_line_len,
                                     &peel_obj))
        return NULL;
    csfs_stream_options opt;
    csfs_stream_options_init(&opt);
    uint64_t *rows = NULL;
    size_t n_rows = 0;
    csfs_peel *peel = NULL;
    long long threads = 0;
    PyObject *result = NULL;
    shared_stream *s = NULL;
    if (layout_obj && py_layout_from_object(layout_obj, "layout", &opt.layout) < 0) goto done;
    if (py_positive_or_none(threads_obj, "threads", 1024, &threads) < 0) goto done;
    if (batch_rows < 1 || batch_rows > ((unsigned long long)1 << 26)) {
        PyErr_SetString(PyExc_ValueError, "batch_rows must be between 1 and 67108864");
        goto done;
    }
    if (rows_obj != Py_None && py_rows_from_object(rows_obj, "rows", &rows, &n_rows) < 0) goto done;
    if (py_peel_from_object(peel_obj, 1, &peel) < 0) goto done;
    s = calloc(1, sizeof *s);
    if (!s) {
        PyErr_NoMemory();
        goto done;
    }
    atomic_init(&s->refs, 1);
    py_messages_init(&s->msgs);
    opt.input = PyBytes_AS_STRING(path_obj);
    opt.columns = columns;
    opt.normalize = normalize;
    opt.strict = strict;
    opt.keep_going = keep_going;
    opt.batch_rows = batch_rows;
    opt.threads = (int)threads;
    opt.max_line_len = (size_t)max_line_len;
    opt.peel = peel;
    opt.rows = rows_obj != Py_None ? (rows ? rows : (const uint64_t *)&opt) : NULL;
    opt.n_rows = n_rows;
    opt.report = py_messages_add;
    opt.report_ctx = &s->msgs;
    csfs_error err = {0};
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = csfs_stream_open(&opt, &s->inner, &err);
    Py_END_ALLOW_THREADS if (rc)
    {
        py_raise_error(&err);
        goto done;
    }
    result = PyCapsule_New(s, HANDLE_CAPSULE, handle_capsule_free);
    if (result) s = NULL;
done:
    if (s) shared_unref(s);
    free(rows);
    csfs_peel_free(peel);
    Py_DECREF(path_obj);
    return result;
}

/* ---- _stream_export: the Arrow PyCapsule ---------------------------------------------- */

static PyObject *py_stream_export(PyObject *self, PyObject *arg)
{
    shared_stream *s = handle_of(arg);
    if (!s) return NULL;
    if (atomic_exchange(&s->exported, 1)) {
        PyErr_SetString(PyExc_RuntimeError,
                        "this csfs stream was already consumed: call csfs.stream() again");
        return NULL;
    }
    struct ArrowArrayStream *w = calloc(1, sizeof *w);
    if (!w) return PyErr_NoMemory();
    atomic_fetch_add(&s->refs, 1);
    w->get_schema = fwd_get_schema;
    w->get_next = fwd_get_next;
    w->get_last_error = fwd_get_last_error;
    w->release = fwd_release;
    w->private_data = s;
    PyObject *cap = PyCapsule_New(w, ARROW_STREAM_CAPSULE, arrow_stream_capsule_free);
    if (!cap) {
        fwd_release(w);
        free(w);
    }
    return cap;
}

/* ---- _stream_next: one batch as NumPy arrays -------------------------------------------- */

static void batch_capsule_free(PyObject *capsule)
{
    struct ArrowArray *a = PyCapsule_GetPointer(capsule, BATCH_CAPSULE);
    if (!a) {
        PyErr_Clear();
        return;
    }
    if (a->release) a->release(a);
    free(a);
}

static PyObject *raise_stream_error(shared_stream *s, int rc)
{
    const char *msg = s->inner.get_last_error(&s->inner);
    csfs_error e = {0};
    e.code = rc == ENOMEM      ? CSFS_E_NOMEM
             : rc == EINVAL    ? CSFS_E_ARGUMENT
             : rc == ECANCELED ? CSFS_E_CANCELLED
                               : CSFS_E_FORMAT;
    snprintf(e.message, sizeof e.message, "%s", msg ? msg : "csfs stream failed");
    return py_raise_error(&e);
}

/* A view of buffer `data` as an array of `type` owning a reference to base. */
static PyObject *view(PyObject *base, void *data, int nd, npy_intp *dims, int type)
{
    PyObject *a = PyArray_New(&PyArray_Type, nd, dims, type, NULL, data, 0, NPY_ARRAY_CARRAY, NULL);
    if (!a) return NULL;
    Py_INCREF(base);
    if (PyArray_SetBaseObject((PyArrayObject *)a, base) < 0) {
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

/* The next batch of a matrix stream (columns row, x) as (x, rows), or None at the end. */
static PyObject *py_stream_next(PyObject *self, PyObject *arg)
{
    shared_stream *s = handle_of(arg);
    if (!s) return NULL;
    if (atomic_load(&s->exported)) {
        PyErr_SetString(PyExc_RuntimeError, "this csfs stream was handed to an Arrow consumer");
        return NULL;
    }
    if (!s->inner.release) Py_RETURN_NONE;
    struct ArrowArray *a = calloc(1, sizeof *a);
    if (!a) return PyErr_NoMemory();
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = s->inner.get_next(&s->inner, a);
    Py_END_ALLOW_THREADS if (py_messages_warn(&s->msgs) < 0)
    {
        if (a->release) a->release(a);
        free(a);
        return NULL;
    }
    if (rc) {
        free(a);
        return raise_stream_error(s, rc);
    }
    if (!a->release) {
        free(a);
        Py_RETURN_NONE;
    }
    PyObject *base = PyCapsule_New(a, BATCH_CAPSULE, batch_capsule_free);
    if (!base) {
        a->release(a);
        free(a);
        return NULL;
    }
    struct ArrowSchema sch;
    rc = s->inner.get_schema(&s->inner, &sch);
    if (rc) {
        Py_DECREF(base);
        return raise_stream_error(s, rc);
    }
    PyObject *x = NULL, *rows = NULL, *out = NULL;
    npy_intp n = (npy_intp)a->length;
    for (int64_t c = 0; c < a->n_children; c++) {
        const char *name = sch.children[c]->name, *fmt = sch.children[c]->format;
        struct ArrowArray *col = a->children[c];
        if (strcmp(name, "row") == 0 && strcmp(fmt, "L") == 0) {
            npy_intp dims[1] = {n};
            rows = view(base, (void *)col->buffers[1], 1, dims, NPY_INT64);
        } else if (strcmp(name, "x") == 0 && strncmp(fmt, "+w:", 3) == 0) {
            npy_intp dims[2] = {n, (npy_intp)atoll(fmt + 3)};
            int type =
                strcmp(sch.children[c]->children[0]->format, "f") == 0 ? NPY_FLOAT32 : NPY_INT32;
            x = view(base, (void *)col->children[0]->buffers[1], 2, dims, type);
        }
    }
    sch.release(&sch);
    if (x && rows)
        out = PyTuple_Pack(2, x, rows);
    else if (!PyErr_Occurred())
        PyErr_SetString(PyExc_RuntimeError, "not a matrix stream (columns row and x)");
    Py_XDECREF(x);
    Py_XDECREF(rows);
    Py_DECREF(base);
    return out;
}

/* ---- _stream_info ------------------------------------------------------------------------ */

static PyObject *py_stream_info(PyObject *self, PyObject *arg)
{
    shared_stream *s = handle_of(arg);
    if (!s) return NULL;
    if (!s->inner.release) {
        PyErr_SetString(PyExc_RuntimeError, "the stream is closed");
        return NULL;
    }
    csfs_stream_info info;
    csfs_error err = {0};
    if (csfs_stream_get_info(&s->inner, &info, &err)) return py_raise_error(&err);
    PyObject *d = PyDict_New();
    PyObject *blocks = PyList_New((Py_ssize_t)info.n_blocks);
    PyObject *header = PyList_New(0);
    if (!d || !blocks || !header) goto fail;
    for (size_t i = 0; i < info.n_blocks; i++) {
        PyObject *v = py_u64(info.block_lengths[i]);
        if (!v) goto fail;
        PyList_SET_ITEM(blocks, (Py_ssize_t)i, v);
    }
    for (int i = 0; i < 5 && info.header_lines[i]; i++) {
        PyObject *v = PyUnicode_DecodeUTF8(
            info.header_lines[i], (Py_ssize_t)strlen(info.header_lines[i]), "surrogateescape");
        if (!v || PyList_Append(header, v) < 0) {
            Py_XDECREF(v);
            goto fail;
        }
        Py_DECREF(v);
    }
    if (py_dict_put(d, "rows", py_u64(info.rows)) < 0 ||
        py_dict_put(d, "csf_count", py_u64(info.csf_count)) < 0 ||
        py_dict_put(d, "total_lines", py_u64(info.total_lines)) < 0 ||
        py_dict_put(d, "truncated_count", py_u64(info.truncated_count)) < 0 ||
        py_dict_put(d, "failed_count", py_u64(info.failed_count)) < 0 ||
        py_dict_put(d, "width", py_u64(info.width)) < 0 ||
        py_dict_put(d, "bytes_read", py_u64(info.bytes_read)) < 0 ||
        py_dict_put(d, "done", PyBool_FromLong(info.done)) < 0)
        goto fail;
    if (py_dict_put(d, "block_lengths", blocks) < 0) {
        blocks = NULL;
        goto fail;
    }
    blocks = NULL;
    if (py_dict_put(d, "header_lines", header) < 0) {
        header = NULL;
        goto fail;
    }
    return d;
fail:
    Py_XDECREF(d);
    Py_XDECREF(blocks);
    Py_XDECREF(header);
    return NULL;
}

/* Raises the error the stream failed with, if any (after an Arrow consumer
 * reported it in its own exception type). */
static PyObject *py_stream_raise(PyObject *self, PyObject *arg)
{
    shared_stream *s = handle_of(arg);
    if (!s) return NULL;
    csfs_stream_info info;
    csfs_error err = {0};
    if (!s->inner.release) Py_RETURN_NONE;
    if (csfs_stream_get_info(&s->inner, &info, &err)) return py_raise_error(&err);
    if (!info.error_code) Py_RETURN_NONE;
    err.code = info.error_code;
    snprintf(err.message, sizeof err.message, "%s", info.error_message);
    return py_raise_error(&err);
}

static PyObject *py_stream_warn(PyObject *self, PyObject *arg)
{
    shared_stream *s = handle_of(arg);
    if (!s) return NULL;
    if (py_messages_warn(&s->msgs) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_stream_close(PyObject *self, PyObject *arg)
{
    shared_stream *s = handle_of(arg);
    if (!s) return NULL;
    if (!atomic_load(&s->exported) && s->inner.release) {
        Py_BEGIN_ALLOW_THREADS s->inner.release(&s->inner);
        Py_END_ALLOW_THREADS
    } else if (s->inner.release) {
        csfs_stream_cancel(&s->inner);
    }
    Py_RETURN_NONE;
}

PyMethodDef csfs_py_stream_methods[] = {
    {"_stream_open", (PyCFunction)(void (*)(void))py_stream_open, METH_VARARGS | METH_KEYWORDS,
     "_stream_open(path, columns, layout, normalize, rows, batch_rows, threads, strict, "
     "keep_going, max_line_len, peel) -> stream handle (see csfs.stream)"},
    {"_stream_export", py_stream_export, METH_O,
     "_stream_export(handle) -> the 'arrow_array_stream' PyCapsule (once)"},
    {"_stream_next", py_stream_next, METH_O,
     "_stream_next(handle) -> (x, rows) NumPy arrays of the next batch, or None"},
    {"_stream_info", py_stream_info, METH_O, "_stream_info(handle) -> dict of what was read"},
    {"_stream_raise", py_stream_raise, METH_O,
     "_stream_raise(handle): raise the error the stream failed with, if any"},
    {"_stream_warn", py_stream_warn, METH_O, "_stream_warn(handle): pending messages as warnings"},
    {"_stream_close", py_stream_close, METH_O, "_stream_close(handle): stop and free the stream"},
    {NULL, NULL, 0, NULL},
};
