/*
 * csfs._csfs: the CPython binding of the csfs library (include/csfs.h).
 *
 * Every function converts its arguments, makes library calls and converts the
 * results; the descriptor logic lives only in the library, shared with the CLI.
 *
 * Calls that can run for seconds go through run_job(): the library call runs on
 * a helper thread while the calling thread waits with the GIL released, waking
 * every POLL_MS to let Python run its signal handlers. When one raises (Ctrl-C:
 * KeyboardInterrupt) the library's cancel flag goes up, the call is left to stop
 * and clean up after itself (outputs are only ever renamed into place when
 * complete), and the exception is then re-raised. Messages the library reports
 * meanwhile (failed CSFs, warnings) are collected and issued as CsfsWarning
 * once the call is over, so no Python code runs on library threads.
 *
 * Binding another long library call takes: a struct starting with `job`, a run
 * function making the call, and a Python function that fills the struct, calls
 * run_job() and converts the result (see descriptors below).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PY_ARRAY_UNIQUE_SYMBOL csfs_ARRAY_API
#include <numpy/arrayobject.h>

#include "csfs.h"
#include "parquet/pq_info.h"

/* How often a waiting call looks for Ctrl-C: the delay it adds to an interrupt. */
#define POLL_MS 50
/* Messages kept per call; the library itself reports only the first few failures. */
#define MAX_MESSAGES 200
#define MATRIX_CAPSULE "csfs.matrix"

static PyObject *CsfsError;   /* csfs.CsfsError, an OSError */
static PyObject *CsfsWarning; /* csfs.CsfsWarning, a UserWarning */

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

static PyObject *text(const char *s)
{
    /* Library messages quote file names, which need not be UTF-8. */
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* A new reference to None (Py_NewRef needs Python 3.10). */
static PyObject *none(void)
{
    Py_INCREF(Py_None);
    return Py_None;
}

static int set_attr(PyObject *obj, const char *name, PyObject *value)
{
    if (!value) return -1;
    int rc = PyObject_SetAttrString(obj, name, value);
    Py_DECREF(value);
    return rc;
}

/*
 * Raises the Python exception for a library error and returns NULL: ValueError
 * for a bad argument, MemoryError, KeyboardInterrupt for a cancelled call, and
 * otherwise CsfsError (an OSError) carrying code, errno and line.
 */
static PyObject *raise_error(const csfs_error *e)
{
    const char *msg = e->message[0] ? e->message : "csfs: unknown error";
    PyObject *type = CsfsError;
    switch (e->code) {
    case CSFS_E_ARGUMENT:
        type = PyExc_ValueError;
        break;
    case CSFS_E_NOMEM:
        type = PyExc_MemoryError;
        break;
    case CSFS_E_CANCELLED:
        type = PyExc_KeyboardInterrupt;
        break;
    }
    PyObject *m = text(msg);
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
    if (set_attr(exc, "code", PyLong_FromLong(e->code)) < 0 ||
        set_attr(exc, "line", e->line ? PyLong_FromUnsignedLongLong(e->line) : none()) < 0 ||
        set_attr(exc, "errno", errnum ? PyLong_FromLong(errnum) : none()) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

/* ---- messages reported during a call ------------------------------------------------------ */

typedef struct messages {
    pthread_mutex_t mu;
    char **items;
    size_t n, cap;
} messages;

static void messages_init(messages *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
}

/* The library's report callback: may run on any library thread, so no Python here. */
static void messages_add(void *ctx, const char *message)
{
    messages *m = ctx;
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
static int messages_warn(messages *m)
{
    for (size_t i = 0; i < m->n; i++) {
        PyObject *s = text(m->items[i]);
        if (!s) return -1;
        /* stacklevel 2: the line of user code that called the csfs wrapper. */
        int rc = PyErr_WarnFormat(CsfsWarning, 2, "%U", s);
        Py_DECREF(s);
        if (rc < 0) return -1;
    }
    return 0;
}

static void messages_free(messages *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->items[i]);
    free(m->items);
    pthread_mutex_destroy(&m->mu);
    memset(m, 0, sizeof *m);
}

/* ---- interruptible library calls --------------------------------------------------------- */

typedef struct job job;
struct job {
    int (*run)(job *j);  /* the library call; runs without the GIL */
    volatile int cancel; /* raised when a signal handler raised; polled by the library */
    csfs_error err;      /* filled by the library call */
    messages msgs;       /* report callback context */
    int rc, done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void job_init(job *j, int (*run)(job *))
{
    memset(j, 0, sizeof *j);
    j->run = run;
    messages_init(&j->msgs);
}

static void job_free(job *j)
{
    messages_free(&j->msgs);
}

static void *job_main(void *arg)
{
    job *j = arg;
    int rc = j->run(j);
    pthread_mutex_lock(&j->mu);
    j->rc = rc;
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Waits at most ms milliseconds for the call to end; returns whether it has. */
static int job_wait(job *j, long ms)
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
 * the one a signal handler raised (the call was cancelled), or the library's.
 */
static int run_job(job *j)
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
    int started = pthread_create(&tid, NULL, job_main, j) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    /* Without a thread the call still works, only Ctrl-C waits for its end. */
    if (!started) job_main(j);
    PyEval_RestoreThread(ts);
    while (started) {
        ts = PyEval_SaveThread();
        int done = job_wait(j, POLL_MS);
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
        raise_error(&j->err);
        return -1;
    }
    return 0;
}

/* ---- argument conversion ----------------------------------------------------------------- */

static int is_name_byte_bad(unsigned char c)
{
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           c == '\0';
}

/*
 * The peel argument: None (only when allow_none: *out stays NULL, meaning the
 * input's own list), a string of names separated by commas and/or spaces, or
 * an iterable of names. Returns 0, or -1 with TypeError/ValueError set.
 */
static int peel_from_object(PyObject *obj, int allow_none, csfs_peel **out)
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
            int ok = len > 0;
            for (Py_ssize_t k = 0; ok && k < len; k++)
                if (is_name_byte_bad((unsigned char)s[k])) ok = 0;
            if (!ok) {
                /* Such a name could never match a subshell field: surely a mistake. */
                PyErr_Format(PyExc_ValueError,
                             "peel name %R is not a subshell name (empty, or has a space, "
                             "comma or NUL)",
                             item);
                goto bad;
            }
            names[i] = s; /* owned by item, which seq keeps alive */
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
        raise_error(&err);
        return -1;
    }
    if (csfs_peel_count(*out) == 0) {
        csfs_peel_free(*out);
        *out = NULL;
        PyErr_SetString(PyExc_ValueError, "peel lists no subshell");
        return -1;
    }
    return 0;
}

/* A positive int no larger than max, or None (*out = 0: the library's default). */
static int positive_or_none(PyObject *obj, const char *what, long long max, long long *out)
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

static void matrix_capsule_free(PyObject *capsule)
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
static PyObject *matrix_to_array(csfs_matrix *m)
{
    csfs_matrix *owned = PyMem_Malloc(sizeof *owned);
    if (!owned) {
        csfs_matrix_free(m);
        return PyErr_NoMemory();
    }
    *owned = *m;
    memset(m, 0, sizeof *m);
    PyObject *capsule = PyCapsule_New(owned, MATRIX_CAPSULE, matrix_capsule_free);
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

/* ---- descriptors(path, peel=None, normalize=False, threads=None, *, strict, chunk_bytes) ---- */

typedef struct descriptors_job {
    job base;
    csfs_descriptor_options opt;
    csfs_matrix matrix;
    csfs_summary summary;
} descriptors_job;

static int descriptors_run(job *j)
{
    descriptors_job *d = (descriptors_job *)j;
    return csfs_descriptors_matrix(&d->opt, &d->matrix, &d->summary, &j->err);
}

static PyObject *py_descriptors(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path", "peel", "normalize", "threads", "strict", "chunk_bytes", NULL};
    PyObject *path = NULL, *peel_obj = Py_None, *threads_obj = Py_None, *chunk_obj = Py_None;
    int normalize = 0, strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|OpO$pO:descriptors", kwlist,
                                     PyUnicode_FSConverter, &path, &peel_obj, &normalize,
                                     &threads_obj, &strict, &chunk_obj))
        return NULL;
    long long threads, chunk;
    csfs_peel *peel = NULL;
    if (positive_or_none(threads_obj, "threads", 1024, &threads) < 0 ||
        positive_or_none(chunk_obj, "chunk_bytes", (long long)(SIZE_MAX >> 1), &chunk) < 0 ||
        peel_from_object(peel_obj, 1, &peel) < 0) {
        Py_DECREF(path);
        return NULL;
    }

    descriptors_job d;
    job_init(&d.base, descriptors_run);
    memset(&d.matrix, 0, sizeof d.matrix);
    csfs_descriptor_options_init(&d.opt);
    d.opt.input = PyBytes_AS_STRING(path);
    d.opt.peel = peel;
    d.opt.normalize = normalize;
    d.opt.strict = strict;
    d.opt.threads = (int)threads;
    d.opt.chunk_bytes = (size_t)chunk;
    d.opt.report = messages_add;
    d.opt.report_ctx = &d.base.msgs;
    d.opt.cancel = &d.base.cancel;

    PyObject *result = NULL;
    if (run_job(&d.base) == 0 && messages_warn(&d.base.msgs) == 0)
        result = matrix_to_array(&d.matrix);
    csfs_matrix_free(&d.matrix); /* a no-op once matrix_to_array took it */
    job_free(&d.base);
    csfs_peel_free(peel);
    Py_DECREF(path);
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
    if (peel_from_object(peel_obj, 0, &peel) < 0) return NULL;
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
                PyObject *m = text(err.message);
                if (m) PyErr_SetObject(PyExc_ValueError, m);
                Py_XDECREF(m);
            } else {
                raise_error(&err);
            }
        }
    }
    csfs_peel_free(peel);
    return row;
}

/* ---- peel_subshells(path) ---------------------------------------------------------------------
 */

static PyObject *peel_to_list(const csfs_peel *peel)
{
    size_t n = csfs_peel_count(peel);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *s = text(csfs_peel_name(peel, i));
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static PyObject *py_peel_subshells(PyObject *self, PyObject *arg)
{
    PyObject *path;
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    csfs_peel *peel = NULL;
    csfs_error err = {0};
    PyThreadState *ts = PyEval_SaveThread();
    int rc = csfs_peel_read(PyBytes_AS_STRING(path), &peel, &err);
    PyEval_RestoreThread(ts);
    Py_DECREF(path);
    if (rc != 0) return raise_error(&err);
    PyObject *list = peel_to_list(peel);
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
    int rc = pq_describe(PyBytes_AS_STRING(path), true, &json, &err);
    PyEval_RestoreThread(ts);
    Py_DECREF(path);
    if (rc != 0) return raise_error(&err);
    PyObject *s = text(json);
    pq_describe_free(json);
    return s;
}

/* ---- module -----------------------------------------------------------------------------------
 */

static PyMethodDef methods[] = {
    {"descriptors", (PyCFunction)(void (*)(void))py_descriptors, METH_VARARGS | METH_KEYWORDS,
     "descriptors(path, peel=None, normalize=False, threads=None, *, strict=False, "
     "chunk_bytes=None)\n--\n\nDescriptor matrix of a CSF list as an ndarray (see csfs)."},
    {"parse_csf", (PyCFunction)(void (*)(void))py_parse_csf, METH_VARARGS | METH_KEYWORDS,
     "parse_csf(line1, line2, line3, peel, normalize=False)\n--\n\n"
     "Descriptor row of one CSF (see csfs)."},
    {"peel_subshells", py_peel_subshells, METH_O,
     "peel_subshells(path, /)\n--\n\nPeel subshell list of a CSF list's header."},
    {"parquet_info_json", py_parquet_info_json, METH_O,
     "parquet_info_json(path, /)\n--\n\nThe JSON description `csfs info --json` prints."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "csfs._csfs",
    .m_doc = "The C extension of the csfs package: use the csfs package instead.",
    .m_size = -1,
    .m_methods = methods,
};

static int add_object(PyObject *module, const char *name, PyObject *obj)
{
    if (!obj) return -1;
    Py_INCREF(obj);
    if (PyModule_AddObject(module, name, obj) < 0) {
        Py_DECREF(obj);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__csfs(void); /* the one exported symbol */

PyMODINIT_FUNC PyInit__csfs(void)
{
    import_array();
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
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
        if (!CsfsError || !CsfsWarning) goto fail;
        for (size_t i = 0; i < N_ERRNO_TYPES; i++) {
            if (!errno_types[i].name) { /* an alias of the previous entry */
                errno_types[i].type = errno_types[i - 1].type;
                continue;
            }
            PyObject *bases = PyTuple_Pack(2, CsfsError, *errno_types[i].builtin);
            if (!bases) goto fail;
            errno_types[i].type = PyErr_NewException(errno_types[i].name, bases, NULL);
            Py_DECREF(bases);
            if (!errno_types[i].type) goto fail;
        }
    }
    if (add_object(m, "CsfsError", CsfsError) < 0 || add_object(m, "CsfsWarning", CsfsWarning) < 0)
        goto fail;
    for (size_t i = 0; i < N_ERRNO_TYPES; i++)
        if (errno_types[i].name &&
            add_object(m, strchr(errno_types[i].name, '.') + 1, errno_types[i].type) < 0)
            goto fail;
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
