/* Shared helpers of the csfs extension (see _csfs_py.h). */
#include "_csfs_py.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

PyObject *CsfsError;
PyObject *CsfsWarning;

/* ---- errors ----------------------------------------------------------------------------- */

/* CsfsError subclasses that are also the OSError subclass Python itself picks
 * for an errno, so that `except FileNotFoundError` works as it does for open(). */
static struct {
    int errnum;
    const char *name;
    PyObject **builtin;
    PyObject *type;
} errno_types[] = {
    {ENOENT, "csfs.CsfsFileNotFoundError", &PyExc_FileNotFoundError, NULL},
    {EACCES, "csfs.CsfsPermissionError", &PyExc_PermissionError, NULL},
    {EPERM, NULL, &PyExc_PermissionError, NULL}, /* shares EACCES' type */
    {EISDIR, "csfs.CsfsIsADirectoryError", &PyExc_IsADirectoryError, NULL},
    {ENOTDIR, "csfs.CsfsNotADirectoryError", &PyExc_NotADirectoryError, NULL},
    {EEXIST, "csfs.CsfsFileExistsError", &PyExc_FileExistsError, NULL},
};
#define N_ERRNO_TYPES (sizeof errno_types / sizeof errno_types[0])

/* Adds obj to the module under name (a new reference is taken). */
int py_add_object(PyObject *module, const char *name, PyObject *obj)
{
    if (!obj) return -1;
    Py_INCREF(obj);
    if (PyModule_AddObject(module, name, obj) < 0) {
        Py_DECREF(obj);
        return -1;
    }
    return 0;
}

/* Creates csfs.CsfsError, csfs.CsfsWarning and the errno subclasses (once per
 * process) and adds them to the module. */
int py_add_exceptions(PyObject *module)
{
    if (!CsfsError) {
        CsfsError = PyErr_NewExceptionWithDoc(
            "csfs.CsfsError",
            "A csfs library call failed: the input could not be read or is malformed, or an "
            "output could not be written. An OSError; `code` is the library's CSFS_E_* code, "
            "`line` the 1-based input line the error is about (or None), `errno` the failing "
            "system call's errno (or None).",
            PyExc_OSError, NULL);
        CsfsWarning = PyErr_NewExceptionWithDoc(
            "csfs.CsfsWarning",
            "A message of a csfs library call that succeeded: a CSF that failed and was "
            "written as a row of zeros, subshells missing from the peel list, empty J blocks.",
            PyExc_UserWarning, NULL);
        if (!CsfsError || !CsfsWarning) return -1;
        for (size_t i = 0; i < N_ERRNO_TYPES; i++) {
            if (!errno_types[i].name) { /* an alias of the previous entry */
                errno_types[i].type = errno_types[i - 1].type;
                continue;
            }
            PyObject *bases = PyTuple_Pack(2, CsfsError, *errno_types[i].builtin);
            if (!bases) return -1;
            errno_types[i].type = PyErr_NewException(errno_types[i].name, bases, NULL);
            Py_DECREF(bases);
            if (!errno_types[i].type) return -1;
        }
    }
    if (py_add_object(module, "CsfsError", CsfsError) < 0 ||
        py_add_object(module, "CsfsWarning", CsfsWarning) < 0)
        return -1;
    for (size_t i = 0; i < N_ERRNO_TYPES; i++)
        if (errno_types[i].name &&
            py_add_object(module, strchr(errno_types[i].name, '.') + 1, errno_types[i].type) < 0)
            return -1;
    return 0;
}

PyObject *py_text(const char *s)
{
    /* Library py_messages quote file names, which need not be UTF-8. */
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* A new reference to None (Py_NewRef needs Python 3.10). */
PyObject *py_none(void)
{
    Py_INCREF(Py_None);
    return Py_None;
}

int py_set_attr(PyObject *obj, const char *name, PyObject *value)
{
    if (!value) return -1;
    int rc = PyObject_SetAttrString(obj, name, value);
    Py_DECREF(value);
    return rc;
}

/*
 * Raises the Python exception for a library error and returns NULL: ValueError
 * for a bad argument (py_raise_error; py_raise_error_as(e, 0) makes it a CsfsError,
 * for rCSFs functions that raised OSError for everything), MemoryError,
 * KeyboardInterrupt for a cancelled call, and otherwise CsfsError (an OSError)
 * carrying code, errno and line.
 */
PyObject *py_raise_error_as(const csfs_error *e, int argument_is_value_error)
{
    const char *msg = e->message[0] ? e->message : "csfs: unknown error";
    PyObject *type = CsfsError;
    switch (e->code) {
    case CSFS_E_ARGUMENT:
        if (argument_is_value_error) type = PyExc_ValueError;
        break;
    case CSFS_E_NOMEM:
        type = PyExc_MemoryError;
        break;
    case CSFS_E_CANCELLED:
        type = PyExc_KeyboardInterrupt;
        break;
    }
    PyObject *m = py_text(msg);
    if (!m) return NULL;
    if (type != CsfsError) {
        PyErr_SetObject(type, m);
        Py_DECREF(m);
        return NULL;
    }
    int errnum = e->sys_errno;
    if (!errnum && e->code == CSFS_E_EXISTS) errnum = EEXIST;
    for (size_t i = 0; i < N_ERRNO_TYPES; i++)
        if (errno_types[i].errnum == errnum) type = errno_types[i].type;
    PyObject *exc = PyObject_CallOneArg(type, m);
    Py_DECREF(m);
    if (!exc) return NULL;
    /* errno alone (no strerror) keeps str(exc) the library's full message. */
    if (py_set_attr(exc, "code", PyLong_FromLong(e->code)) < 0 ||
        py_set_attr(exc, "line", e->line ? PyLong_FromUnsignedLongLong(e->line) : py_none()) < 0 ||
        py_set_attr(exc, "errno", errnum ? PyLong_FromLong(errnum) : py_none()) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *py_raise_error(const csfs_error *e)
{
    return py_raise_error_as(e, 1);
}

/* ---- messages reported during a call ------------------------------------------------------ */

void py_messages_init(py_messages *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
}

/* The library's report callback: may run on any library thread, so no Python here. */
void py_messages_add(void *ctx, const char *message)
{
    py_messages *m = ctx;
    pthread_mutex_lock(&m->mu);
    if (m->n == m->cap && m->cap < MAX_MESSAGES) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        char **grown = realloc(m->items, cap * sizeof *grown);
        if (grown) m->items = grown, m->cap = cap;
    }
    if (m->n < m->cap) {
        char *copy = strdup(message);
        if (copy) m->items[m->n++] = copy;
    }
    pthread_mutex_unlock(&m->mu);
}

/* Issues the collected messages as CsfsWarning (GIL held); -1 if a warning
 * filter turned one into an exception. */
int py_messages_warn(py_messages *m)
{
    for (size_t i = 0; i < m->n; i++) {
        PyObject *s = py_text(m->items[i]);
        if (!s) return -1;
        /* stacklevel 2: the line of user code that called the csfs wrapper. */
        int rc = PyErr_WarnFormat(CsfsWarning, 2, "%U", s);
        Py_DECREF(s);
        if (rc < 0) return -1;
    }
    return 0;
}

void py_messages_free(py_messages *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->items[i]);
    free(m->items);
    pthread_mutex_destroy(&m->mu);
    memset(m, 0, sizeof *m);
}

/* ---- interruptible library calls --------------------------------------------------------- */

void py_job_init(py_job *j, int (*run)(py_job *))
{
    memset(j, 0, sizeof *j);
    j->run = run;
    py_messages_init(&j->msgs);
}

void py_job_free(py_job *j)
{
    py_messages_free(&j->msgs);
}

static void *py_job_main(void *arg)
{
    py_job *j = arg;
    int rc = j->run(j);
    pthread_mutex_lock(&j->mu);
    j->rc = rc;
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Waits at most ms milliseconds for the call to end; returns whether it has. */
static int py_job_wait(py_job *j, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&j->mu);
    while (!j->done)
        if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) == ETIMEDOUT) break;
    int done = j->done;
    pthread_mutex_unlock(&j->mu);
    return done;
}

/*
 * Runs j->run on a helper thread with the GIL released, polling for signals.
 * Returns 0 when the call succeeded; otherwise -1 with a Python exception set:
 * the one a signal handler raised (the call was cancelled), or the library's
 * (see py_raise_error_as).
 */
int py_run_job_as(py_job *j, int argument_is_value_error)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cv, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&j->mu, NULL);

    /* The helper and the library threads it starts inherit a mask blocking
     * asynchronous signals: Ctrl-C always reaches a Python thread, and never
     * interrupts a library system call. Faults stay deliverable. */
    sigset_t block, old;
    sigfillset(&block);
    sigdelset(&block, SIGSEGV);
    sigdelset(&block, SIGBUS);
    sigdelset(&block, SIGFPE);
    sigdelset(&block, SIGILL);
    pthread_t tid;
    int interrupted = 0;
    PyThreadState *ts = PyEval_SaveThread();
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int started = pthread_create(&tid, NULL, py_job_main, j) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    /* Without a thread the call still works, only Ctrl-C waits for its end. */
    if (!started) py_job_main(j);
    PyEval_RestoreThread(ts);
    while (started) {
        ts = PyEval_SaveThread();
        int done = py_job_wait(j, POLL_MS);
        PyEval_RestoreThread(ts);
        if (done) break;
        /* Only the main thread runs handlers; elsewhere this returns 0. */
        if (!interrupted && PyErr_CheckSignals() < 0) {
            interrupted = 1;
            j->cancel = 1;
        }
    }
    if (started) {
        ts = PyEval_SaveThread();
        pthread_join(tid, NULL);
        PyEval_RestoreThread(ts);
    }
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    if (interrupted) return -1; /* even if the call finished first: the user asked to stop */
    if (j->rc != 0) {
        py_raise_error_as(&j->err, argument_is_value_error);
        return -1;
    }
    return 0;
}

int py_run_job(py_job *j)
{
    return py_run_job_as(j, 1);
}

/* ---- argument conversion ----------------------------------------------------------------- */

/*
 * The peel argument: None (only when allow_none: *out stays NULL, meaning the
 * input's own list), a string of names separated by commas and/or spaces, or
 * an iterable of names. Returns 0, or -1 with TypeError/ValueError set.
 */
int py_peel_from_object(PyObject *obj, int allow_none, csfs_peel **out)
{
    *out = NULL;
    csfs_error err = {0};
    int rc;
    if (obj == Py_None) {
        if (allow_none) return 0;
        PyErr_SetString(PyExc_TypeError, "peel must be a str or a sequence of str, not None");
        return -1;
    }
    if (PyUnicode_Check(obj)) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(obj, &len);
        if (!s) return -1;
        if (strlen(s) != (size_t)len) {
            PyErr_SetString(PyExc_ValueError, "peel contains a NUL character");
            return -1;
        }
        rc = csfs_peel_parse(s, out, &err);
    } else if (PyBytes_Check(obj) || PyByteArray_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "peel must be a str or a sequence of str, not bytes");
        return -1;
    } else {
        PyObject *seq = PySequence_Fast(obj, "peel must be a str or a sequence of str");
        if (!seq) return -1;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        const char **names = PyMem_Calloc(n ? (size_t)n : 1, sizeof *names);
        if (!names) {
            Py_DECREF(seq);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
            if (!PyUnicode_Check(item)) {
                PyErr_Format(PyExc_TypeError, "peel names must be str, not %.100s",
                             Py_TYPE(item)->tp_name);
                goto bad;
            }
            Py_ssize_t len;
            const char *s = PyUnicode_AsUTF8AndSize(item, &len);
            if (!s) goto bad;
            if (strlen(s) != (size_t)len) {
                PyErr_Format(PyExc_ValueError, "peel name %R contains a NUL character", item);
                goto bad;
            }
            names[i] = s; /* owned by item, which seq keeps alive; the library judges it */
        }
        rc = csfs_peel_from_names(names, (size_t)n, out, &err);
        PyMem_Free(names);
        Py_DECREF(seq);
        goto done;
    bad:
        PyMem_Free(names);
        Py_DECREF(seq);
        return -1;
    }
done:
    if (rc != 0) {
        py_raise_error(&err);
        return -1;
    }
    return 0;
}

/* A positive int no larger than max, or None (*out = 0: the library's default). */
int py_positive_or_none(PyObject *obj, const char *what, long long max, long long *out)
{
    *out = 0;
    if (obj == Py_None) return 0;
    if (PyBool_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int or None, not bool", what);
        return -1;
    }
    PyObject *i = PyNumber_Index(obj);
    if (!i) return -1;
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
    Py_DECREF(i);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < 1 || v > max) {
        PyErr_Format(PyExc_ValueError, "%s must be between 1 and %lld (or None)", what, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- matrices as NumPy arrays --------------------------------------------------------------- */

static void py_matrix_capsule_free(PyObject *capsule)
{
    csfs_matrix *m = PyCapsule_GetPointer(capsule, MATRIX_CAPSULE);
    if (!m) return;
    csfs_matrix_free(m);
    PyMem_Free(m);
}

/*
 * An ndarray over the library's matrix memory, without copying: the array's
 * base is a capsule that releases the matrix with csfs_matrix_free when the
 * last view is gone. Takes ownership of *m (released also on failure).
 */
PyObject *py_matrix_to_array(csfs_matrix *m)
{
    csfs_matrix *owned = PyMem_Malloc(sizeof *owned);
    if (!owned) {
        csfs_matrix_free(m);
        return PyErr_NoMemory();
    }
    *owned = *m;
    memset(m, 0, sizeof *m);
    PyObject *capsule = PyCapsule_New(owned, MATRIX_CAPSULE, py_matrix_capsule_free);
    if (!capsule) {
        csfs_matrix_free(owned);
        PyMem_Free(owned);
        return NULL;
    }
    npy_intp dims[2] = {(npy_intp)owned->rows, (npy_intp)owned->cols};
    PyObject *arr =
        PyArray_SimpleNewFromData(2, dims, owned->is_float ? NPY_FLOAT32 : NPY_INT32, owned->data);
    if (!arr) {
        Py_DECREF(capsule);
        return NULL;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)arr, capsule) < 0) { /* steals capsule */
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

/* ---- more argument conversion ------------------------------------------------------------ */

/* A descriptor layout: 1, 2, "v1" or "v2" (the CLI's --layout names). */
int py_layout_from_object(PyObject *obj, const char *what, csfs_layout *out)
{
    long v = 0;
    if (PyUnicode_Check(obj)) {
        const char *s = PyUnicode_AsUTF8(obj);
        if (!s) return -1;
        if (strcmp(s, "v1") == 0 || strcmp(s, "V1") == 0) v = 1;
        if (strcmp(s, "v2") == 0 || strcmp(s, "V2") == 0) v = 2;
    } else if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        int overflow;
        v = PyLong_AsLongAndOverflow(obj, &overflow);
        if (v == -1 && PyErr_Occurred()) return -1;
        if (overflow) v = 0;
    } else {
        PyErr_Format(PyExc_TypeError, "%s must be 1, 2, \"v1\" or \"v2\", not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (v != 1 && v != 2) {
        PyErr_Format(PyExc_ValueError, "%s must be 1, 2, \"v1\" or \"v2\", not %R", what, obj);
        return -1;
    }
    *out = v == 1 ? CSFS_LAYOUT_V1 : CSFS_LAYOUT_V2;
    return 0;
}

/*
 * A Parquet compression: None (zstd level 3, as rCSFs) or a name the library
 * reads (csfs_codec_parse: rCSFs' "none", "uncompressed", "snappy", "zstd",
 * "zstd-N", and csfs' "gzip[:N]", "zstd:N").
 */
int py_codec_from_object(PyObject *obj, csfs_codec *codec, int *level)
{
    *codec = CSFS_CODEC_ZSTD;
    *level = 3;
    if (obj == Py_None) return 0;
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "compression must be a str or None, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(obj, &len);
    if (!s) return -1;
    if (strlen(s) != (size_t)len) {
        PyErr_SetString(PyExc_ValueError, "compression contains a NUL character");
        return -1;
    }
    csfs_error err = {0};
    if (csfs_codec_parse(s, codec, level, &err) == 0) return 0;
    PyErr_SetString(PyExc_ValueError, err.message);
    return -1;
}

/* A path argument that may be None (*out = NULL); else a new bytes object. */
int py_path_or_none(PyObject *obj, PyObject **out)
{
    *out = NULL;
    if (obj == Py_None) return 0;
    return PyUnicode_FSConverter(obj, out) ? 0 : -1;
}

int py_engine_from_objects(py_engine *e, PyObject *const objs[PY_ENGINE_KWARGS])
{
    memset(e, 0, sizeof *e);
    csfs_engine_outputs_init(&e->o);
    e->o.descriptors = e->d;
    for (int i = 0; i < 5; i++)
        if (py_path_or_none(objs[i], &e->keep[i]) < 0) {
            py_engine_free(e);
            return -1;
        }
    if (objs[5] != Py_None && py_codec_from_object(objs[5], &e->o.codec, &e->o.codec_level) < 0) {
        py_engine_free(e);
        return -1;
    }
    e->o.csf_parquet = e->keep[0] ? PyBytes_AS_STRING(e->keep[0]) : NULL;
    e->o.text_name = e->keep[4] ? PyBytes_AS_STRING(e->keep[4]) : NULL;
    for (int i = 1; i <= 3; i++) {
        if (!e->keep[i]) continue;
        csfs_descriptor_output *d = &e->d[e->o.n_descriptors++];
        d->path = PyBytes_AS_STRING(e->keep[i]);
        d->layout = i == 3 ? CSFS_LAYOUT_V2 : CSFS_LAYOUT_V1;
        d->normalize = i == 2;
    }
    return 0;
}

void py_engine_free(py_engine *e)
{
    for (int i = 0; i < 5; i++) Py_CLEAR(e->keep[i]);
}

/* d[key] = value, taking the reference to value; -1 on failure or when value is NULL. */
int py_dict_put(PyObject *d, const char *key, PyObject *value)
{
    if (!value) return -1;
    int rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

PyObject *py_u64(uint64_t v)
{
    return PyLong_FromUnsignedLongLong((unsigned long long)v);
}

/* ---- peel_subshells(path) ---------------------------------------------------------------------
 */

PyObject *py_peel_to_list(const csfs_peel *peel)
{
    size_t n = csfs_peel_count(peel);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *s = py_text(csfs_peel_name(peel, i));
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

/* ---- buffers as NumPy arrays ----------------------------------------------------------------- */

static void py_buffer_capsule_free(PyObject *capsule)
{
    free(PyCapsule_GetPointer(capsule, BUFFER_CAPSULE));
}

/*
 * An ndarray over malloc'd memory, without copying: its base is a capsule
 * that frees the memory with the last view. Takes ownership of data (freed
 * also on failure); data may be NULL for an array of no elements.
 */
PyObject *py_owned_array(void *data, int nd, npy_intp *dims, int type)
{
    if (!data && !(data = malloc(1))) return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(data, BUFFER_CAPSULE, py_buffer_capsule_free);
    if (!capsule) {
        free(data);
        return NULL;
    }
    PyObject *arr = PyArray_SimpleNewFromData(nd, dims, type, data);
    if (!arr) {
        Py_DECREF(capsule);
        return NULL;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)arr, capsule) < 0) { /* steals capsule */
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

/* ---- row selections ------------------------------------------------------------------------ */

/*
 * A selection of row indices: any sequence of ints or 1-D NumPy integer array,
 * copied to *rows (malloc'd; NULL when empty) as uint64. TypeError for
 * anything else (bool, float or str items, a 2-D array), ValueError for a
 * negative index. Order and repeats are kept: the library judges them.
 */
int py_rows_from_object(PyObject *obj, const char *what, uint64_t **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (PyUnicode_Check(obj) || PyBytes_Check(obj) || PyByteArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of ints, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, NPY_ARRAY_CARRAY_RO, NULL);
    if (!a) return -1;
    int rc = -1;
    PyArrayObject *c = NULL;
    uint64_t *out = NULL;
    npy_intp len = PyArray_NDIM(a) == 1 ? PyArray_SIZE(a) : 0;
    char kind = PyArray_DESCR(a)->kind;
    if (PyArray_NDIM(a) != 1) {
        PyErr_Format(PyExc_TypeError, "%s must be a 1-D sequence of ints, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        goto done;
    }
    if (len == 0) { /* [] is float64 to NumPy: an empty selection whatever its type */
        rc = 0;
        goto done;
    }
    if (kind != 'i' && kind != 'u' && kind != 'O') {
        PyErr_Format(PyExc_TypeError, "%s must hold ints, not %s values", what,
                     kind == 'b'   ? "bool"
                     : kind == 'f' ? "float"
                                   : "non-integer");
        goto done;
    }
    out = malloc((size_t)len * sizeof *out);
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    if (kind == 'O') { /* ints beyond int64, or mixed objects: one at a time */
        PyObject **items = PyArray_DATA(a);
        for (npy_intp i = 0; i < len; i++) {
            if (PyBool_Check(items[i]) || !PyIndex_Check(items[i])) {
                PyErr_Format(PyExc_TypeError, "%s must hold ints, not %.100s", what,
                             Py_TYPE(items[i])->tp_name);
                goto done;
            }
            PyObject *v = PyNumber_Index(items[i]);
            if (!v) goto done;
            int overflow;
            long long sv = PyLong_AsLongLongAndOverflow(v, &overflow);
            unsigned long long u =
                overflow > 0 ? PyLong_AsUnsignedLongLong(v) : (unsigned long long)sv;
            Py_DECREF(v);
            if ((sv == -1 || u == (unsigned long long)-1) && PyErr_Occurred()) goto done;
            if (overflow < 0 || (!overflow && sv < 0)) {
                PyErr_Format(PyExc_ValueError, "%s: index %R at position %zd is negative", what,
                             items[i], (Py_ssize_t)i);
                goto done;
            }
            out[i] = u;
        }
    } else {
        int type = kind == 'u' ? NPY_UINT64 : NPY_INT64;
        c = (PyArrayObject *)PyArray_FromAny((PyObject *)a, PyArray_DescrFromType(type), 1, 1,
                                             NPY_ARRAY_CARRAY_RO, NULL);
        if (!c) goto done;
        memcpy(out, PyArray_DATA(c), (size_t)len * sizeof *out);
        if (kind == 'i')
            for (npy_intp i = 0; i < len; i++)
                if ((int64_t)out[i] < 0) {
                    PyErr_Format(PyExc_ValueError, "%s: index %lld at position %zd is negative",
                                 what, (long long)(int64_t)out[i], (Py_ssize_t)i);
                    goto done;
                }
    }
    *rows = out;
    *n = (size_t)len;
    out = NULL;
    rc = 0;
done:
    free(out);
    Py_XDECREF(c);
    Py_DECREF(a);
    return rc;
}
