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
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PY_ARRAY_UNIQUE_SYMBOL csfs_ARRAY_API
#include <numpy/arrayobject.h>

#include "csfs.h"
#include "common/error.h"
#include "jobs/export.h"
#include "grasp/header_toml.h"
#include "mixing/labels.h"
#include "mixing/reader.h"
#include "parquet/pq_info.h"
#include "grasp/peel_source.h"
#include "jobs/split_by_j.h"

/* How often a waiting call looks for Ctrl-C: the delay it adds to an interrupt. */
#define POLL_MS 50
/* Messages kept per call; the library itself reports only the first few failures. */
#define MAX_MESSAGES 200
#define MATRIX_CAPSULE "csfs.matrix"
#define BUFFER_CAPSULE "csfs.buffer"

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
 * for a bad argument (raise_error; raise_error_as(e, 0) makes it a CsfsError,
 * for rCSFs functions that raised OSError for everything), MemoryError,
 * KeyboardInterrupt for a cancelled call, and otherwise CsfsError (an OSError)
 * carrying code, errno and line.
 */
static PyObject *raise_error_as(const csfs_error *e, int argument_is_value_error)
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

static PyObject *raise_error(const csfs_error *e)
{
    return raise_error_as(e, 1);
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
 * the one a signal handler raised (the call was cancelled), or the library's
 * (see raise_error_as).
 */
static int run_job_as(job *j, int argument_is_value_error)
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
        raise_error_as(&j->err, argument_is_value_error);
        return -1;
    }
    return 0;
}

static int run_job(job *j)
{
    return run_job_as(j, 1);
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

/* ---- more argument conversion ------------------------------------------------------------ */

/* A descriptor layout: 1, 2, "v1" or "v2" (the CLI's --layout names). */
static int layout_from_object(PyObject *obj, const char *what, csfs_layout *out)
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

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * A Parquet compression: None (zstd level 3, as rCSFs), an rCSFs name --
 * "none", "uncompressed", "snappy", "zstd", "zstd-N" (any case, white space
 * around ignored) -- or a csfs one ("gzip", "gzip:N", "zstd:N"). Only the
 * rCSFs spelling "zstd-N" is translated here; csfs_codec_parse does the rest.
 */
static int codec_from_object(PyObject *obj, csfs_codec *codec, int *level)
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
    while (len > 0 && is_ascii_space(*s)) s++, len--;
    while (len > 0 && is_ascii_space(s[len - 1])) len--;
    char name[32];
    csfs_error err = {0};
    if (len > 0 && (size_t)len < sizeof name && !memchr(s, '\0', (size_t)len)) {
        memcpy(name, s, (size_t)len);
        name[len] = '\0';
        if (len > 5 && strncmp(name, "zstd-", 5) == 0) name[4] = ':';
        if (len > 5 && strncmp(name, "ZSTD-", 5) == 0) name[4] = ':';
        if (csfs_codec_parse(name, codec, level, &err) == 0) return 0;
    }
    PyErr_Format(PyExc_ValueError,
                 "unknown compression %R: expected None, \"none\", \"uncompressed\", \"snappy\", "
                 "\"zstd\" or \"zstd-N\" (N = 1..22)",
                 obj);
    return -1;
}

/* A path argument that may be None (*out = NULL); else a new bytes object. */
static int path_or_none(PyObject *obj, PyObject **out)
{
    *out = NULL;
    if (obj == Py_None) return 0;
    return PyUnicode_FSConverter(obj, out) ? 0 : -1;
}

/* d[key] = value, taking the reference to value; -1 on failure or when value is NULL. */
static int dict_put(PyObject *d, const char *key, PyObject *value)
{
    if (!value) return -1;
    int rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *u64(uint64_t v)
{
    return PyLong_FromUnsignedLongLong((unsigned long long)v);
}

/* ---- descriptors(path, peel=None, normalize=False, threads=None, *, layout, ...) ---------- */

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
    static char *kwlist[] = {"path",   "peel",        "normalize",  "threads", "layout",
                             "strict", "chunk_bytes", "keep_going", NULL};
    PyObject *path = NULL, *peel_obj = Py_None, *threads_obj = Py_None, *chunk_obj = Py_None;
    PyObject *layout_obj = NULL;
    int normalize = 0, strict = 0, keep_going = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|OpO$OpOp:descriptors", kwlist,
                                     PyUnicode_FSConverter, &path, &peel_obj, &normalize,
                                     &threads_obj, &layout_obj, &strict, &chunk_obj, &keep_going))
        return NULL;
    long long threads, chunk;
    csfs_layout layout = CSFS_LAYOUT_V1;
    csfs_peel *peel = NULL;
    if ((layout_obj && layout_from_object(layout_obj, "layout", &layout) < 0) ||
        positive_or_none(threads_obj, "threads", 1024, &threads) < 0 ||
        positive_or_none(chunk_obj, "chunk_bytes", (long long)(SIZE_MAX >> 1), &chunk) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    if (layout == CSFS_LAYOUT_V2 && normalize) {
        PyErr_SetString(PyExc_ValueError,
                        "normalize=True needs layout=\"v1\": V2 descriptors are int32 only");
        Py_DECREF(path);
        return NULL;
    }
    if (layout == CSFS_LAYOUT_V1 && keep_going) {
        PyErr_SetString(PyExc_ValueError, "keep_going is for layout=\"v2\"");
        Py_DECREF(path);
        return NULL;
    }
    if (peel_from_object(peel_obj, 1, &peel) < 0) {
        Py_DECREF(path);
        return NULL;
    }

    descriptors_job d;
    job_init(&d.base, descriptors_run);
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

/* ---- generate_descriptors_from_parquet(input, output, peel_subshells, ...) (rCSFs) --------- */

static int descriptors_file_run(job *j)
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
    if ((version_obj && layout_from_object(version_obj, "descriptor_version", &layout) < 0) ||
        positive_or_none(workers_obj, "num_workers", 1024, &workers) < 0 ||
        codec_from_object(compression, &codec, &level) < 0 || path_or_none(header_obj, &header) < 0)
        goto done;
    if (layout == CSFS_LAYOUT_V2 && normalize) {
        PyErr_SetString(PyExc_ValueError,
                        "normalize=True needs descriptor_version=1: V2 descriptors are int32 only");
        goto done;
    }
    if (peel_from_object(peel_obj, 1, &peel) < 0) goto done;

    descriptors_job d;
    job_init(&d.base, descriptors_file_run);
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
    d.opt.report = messages_add;
    d.opt.report_ctx = &d.base.msgs;
    d.opt.cancel = &d.base.cancel;
    if (run_job(&d.base) == 0 && messages_warn(&d.base.msgs) == 0) {
        int v2 = layout == CSFS_LAYOUT_V2;
        uint64_t width = d.summary.columns;
        uint64_t orbitals = v2 ? (width - 2) / 4 : width / 3;
        result = PyDict_New();
        if (result &&
            (dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
             dict_put(result, "input_file", PyUnicode_DecodeFSDefault(d.opt.input)) < 0 ||
             dict_put(result, "output_file", PyUnicode_DecodeFSDefault(d.opt.output)) < 0 ||
             dict_put(result, "csf_count", u64(d.summary.csf_count)) < 0 ||
             /* rCSFs counted every row written, failed CSFs (zero rows) included */
             dict_put(result, "descriptor_count", u64(d.summary.csf_count)) < 0 ||
             dict_put(result, "orbital_count", u64(orbitals)) < 0 ||
             dict_put(result, "descriptor_size", u64(width)) < 0 ||
             (v2 && dict_put(result, "descriptor_version", PyLong_FromLong(2)) < 0) ||
             (v2 && dict_put(result, "channels_per_subshell", PyLong_FromLong(4)) < 0) ||
             dict_put(result, "failed_count", u64(d.summary.failed_count)) < 0))
            Py_CLEAR(result);
    }
    job_free(&d.base);
done:
    csfs_peel_free(peel);
    Py_XDECREF(header);
    Py_DECREF(input);
    Py_DECREF(output);
    return result;
}

/* ---- convert_csfs(input_path, output_path, max_line_len, chunk_size, num_workers) (rCSFs) -- */

typedef struct convert_job {
    job base;
    csfs_convert_options opt;
    csfs_convert_summary summary;
} convert_job;

static int convert_run(job *j)
{
    convert_job *c = (convert_job *)j;
    return csfs_convert_run(&c->opt, &c->summary, &j->err);
}

/* max_line_len: None or 0 keeps lines whole (*out = 0), else a positive int. */
static int line_len_from_object(PyObject *obj, size_t *out)
{
    *out = 0;
    if (obj == Py_None) return 0;
    if (PyBool_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "max_line_len must be an int or None, not bool");
        return -1;
    }
    PyObject *i = PyNumber_Index(obj);
    if (!i) return -1;
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
    Py_DECREF(i);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < 0 || (unsigned long long)v > (SIZE_MAX >> 1)) {
        PyErr_SetString(PyExc_ValueError,
                        "max_line_len must be a positive int, or 0 or None to keep lines whole");
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static PyObject *py_convert_csfs(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input_path", "output_path", "max_line_len",
                             "chunk_size", "num_workers", NULL};
    PyObject *input = NULL, *output = NULL, *len_obj = NULL, *chunk_obj = NULL;
    PyObject *workers_obj = Py_None, *result = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&|OOO:convert_csfs", kwlist,
                                     PyUnicode_FSConverter, &input, PyUnicode_FSConverter, &output,
                                     &len_obj, &chunk_obj, &workers_obj))
        return NULL;
    size_t max_line_len = 256; /* rCSFs' default */
    long long chunk = 3000000, workers;
    if ((len_obj && line_len_from_object(len_obj, &max_line_len) < 0) ||
        (chunk_obj && chunk_obj != Py_None &&
         positive_or_none(chunk_obj, "chunk_size", LLONG_MAX, &chunk) < 0) ||
        positive_or_none(workers_obj, "num_workers", 1024, &workers) < 0)
        goto done;

    convert_job c;
    job_init(&c.base, convert_run);
    csfs_convert_options_init(&c.opt);
    c.opt.input = PyBytes_AS_STRING(input);
    c.opt.output = PyBytes_AS_STRING(output);
    c.opt.max_line_len = max_line_len;
    c.opt.threads = (int)workers;
    c.opt.force = 1;       /* rCSFs replaced existing outputs */
    c.opt.header_toml = 1; /* <input stem>_header.toml beside the output */
    c.opt.report = messages_add;
    c.opt.report_ctx = &c.base.msgs;
    c.opt.cancel = &c.base.cancel;
    /* chunk_size (rCSFs' lines per batch) has no counterpart: the output never
     * depends on how the library divides its work. */
    if (run_job(&c.base) == 0 && messages_warn(&c.base.msgs) == 0) {
        result = PyDict_New();
        if (result &&
            (dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
             dict_put(result, "input_file", PyUnicode_DecodeFSDefault(c.opt.input)) < 0 ||
             dict_put(result, "output_file", PyUnicode_DecodeFSDefault(c.opt.output)) < 0 ||
             dict_put(result, "max_line_len", u64(max_line_len)) < 0 ||
             dict_put(result, "chunk_size", PyLong_FromLongLong(chunk)) < 0 ||
             dict_put(result, "csf_count", u64(c.summary.csf_count)) < 0 ||
             dict_put(result, "total_lines", u64(c.summary.total_lines)) < 0 ||
             dict_put(result, "truncated_count", u64(c.summary.truncated_count)) < 0 ||
             dict_put(result, "header_file", PyUnicode_DecodeFSDefault(c.summary.header_toml)) < 0))
            Py_CLEAR(result);
    }
    job_free(&c.base);
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
    int rc = csfs_peel_read_any(PyBytes_AS_STRING(path), &peel, NULL, NULL, &err);
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

/* ---- read_peel_subshells(header_path) (rCSFs) --------------------------------------------- */

static PyObject *py_read_peel_subshells(PyObject *self, PyObject *arg)
{
    PyObject *path;
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    const char *p = PyBytes_AS_STRING(path);
    csfs_header_toml h;
    memset(&h, 0, sizeof h);
    csfs_peel *peel = NULL;
    csfs_error err = {0};
    PyThreadState *ts = PyEval_SaveThread();
    int rc = csfs_header_toml_read(p, &h, &err);
    if (rc == 0) rc = csfs_header_toml_peel(&h, &peel, &err);
    if (rc == 0 && csfs_peel_count(peel) == 0)
        rc = csfs_fail(&err, CSFS_E_FORMAT, "%s: no peel subshells in header line 4", p);
    csfs_header_toml_free(&h);
    PyEval_RestoreThread(ts);
    Py_DECREF(path);
    PyObject *list = rc == 0 ? peel_to_list(peel) : raise_error(&err);
    csfs_peel_free(peel);
    return list;
}

/* ---- buffers as NumPy arrays ----------------------------------------------------------------- */

static void buffer_capsule_free(PyObject *capsule)
{
    free(PyCapsule_GetPointer(capsule, BUFFER_CAPSULE));
}

/*
 * An ndarray over malloc'd memory, without copying: its base is a capsule
 * that frees the memory with the last view. Takes ownership of data (freed
 * also on failure); data may be NULL for an array of no elements.
 */
static PyObject *owned_array(void *data, int nd, npy_intp *dims, int type)
{
    if (!data && !(data = malloc(1))) return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(data, BUFFER_CAPSULE, buffer_capsule_free);
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

/* ---- read_mixing(path) ----------------------------------------------------------------------- */

/* One stored block, copied out of the reader (which reuses its memory). */
typedef struct mix_block_copy {
    int32_t jblock, ncf, nev, iatjpo, iaspar, two_j;
    char parity;
    double eav;
    uint64_t offset;
    int32_t *ivec;           /* [nev] */
    double *eval, *energies; /* [nev]: as stored (relative to eav), and eav + eval */
    double *coef;            /* [nev * ncf]: level k's coefficients at k * ncf */
} mix_block_copy;

typedef struct mixing_job {
    job base;
    const char *path;
    csfs_mix_header header;
    const char *format; /* static string */
    int marker_bytes, big_endian;
    uint64_t size;
    mix_block_copy *blocks;
    size_t n, cap;
} mixing_job;

static void mixing_job_free(mixing_job *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->blocks[i].ivec);
        free(m->blocks[i].eval);
        free(m->blocks[i].energies);
        free(m->blocks[i].coef);
    }
    free(m->blocks);
    m->blocks = NULL;
    m->n = m->cap = 0;
}

static int copy_block(mixing_job *m, csfs_mix_reader *r, const csfs_mix_block *b, csfs_error *err)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        mix_block_copy *grown = realloc(m->blocks, cap * sizeof *grown);
        if (!grown) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        m->blocks = grown;
        m->cap = cap;
    }
    mix_block_copy *c = &m->blocks[m->n++];
    memset(c, 0, sizeof *c);
    c->jblock = b->jblock;
    c->ncf = b->ncf;
    c->nev = b->nev;
    c->iatjpo = b->iatjpo;
    c->iaspar = b->iaspar;
    c->two_j = csfs_mix_block_two_j(b);
    c->parity = csfs_mix_block_parity(b);
    c->eav = b->eav;
    c->offset = b->offset;
    if (b->nev <= 0) return 0;
    /* The reader checked nev * ncf against the bytes left in the file. */
    size_t nev = (size_t)b->nev, ncf = (size_t)b->ncf;
    c->ivec = malloc(nev * sizeof *c->ivec);
    c->eval = malloc(nev * sizeof *c->eval);
    c->energies = malloc(nev * sizeof *c->energies);
    size_t cells = nev * ncf;
    c->coef = malloc((cells ? cells : 1) * sizeof *c->coef);
    if (!c->ivec || !c->eval || !c->energies || !c->coef)
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory for block %d (%zu x %zu)", m->path,
                         b->jblock, nev, ncf);
    for (size_t k = 0; k < nev; k++) {
        c->ivec[k] = b->ivec[k];
        c->eval[k] = b->eval[k];
        c->energies[k] = b->eav + b->eval[k]; /* as the library's level listing */
    }
    for (size_t k = 0; k < nev; k++) {
        if (m->base.cancel) return csfs_fail(err, CSFS_E_CANCELLED, "%s: interrupted", m->path);
        int rc = csfs_mix_read_level(r, c->coef + k * ncf, err);
        if (rc) return rc;
    }
    return 0;
}

static int mixing_run(job *j)
{
    mixing_job *m = (mixing_job *)j;
    csfs_mix_reader *r;
    int rc = csfs_mix_open(m->path, &r, &j->err);
    if (rc) return rc;
    m->header = *csfs_mix_get_header(r);
    m->format = csfs_mix_format(r);
    m->marker_bytes = csfs_mix_marker_bytes(r);
    m->big_endian = csfs_mix_big_endian(r);
    m->size = csfs_mix_file_size(r);
    const csfs_mix_block *b;
    while ((rc = csfs_mix_next_block(r, &b, &j->err)) == 1)
        if ((rc = copy_block(m, r, b, &j->err)) != 0) break;
    csfs_mix_close(r);
    return rc < 0 ? rc : 0;
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
            rc = dict_put(d, bufs[i].name,
                          owned_array(data, bufs[i].nd, bufs[i].dims, bufs[i].type));
        else
            free(data);
    }
    return rc;
}

/* The dict of one block; takes the block's arrays (NULL afterwards). */
static PyObject *block_dict(mix_block_copy *c)
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
    if (!d || dict_put(d, "jblock", PyLong_FromLong(c->jblock)) < 0 ||
        dict_put(d, "ncf", PyLong_FromLong(c->ncf)) < 0 ||
        dict_put(d, "nev", PyLong_FromLong(c->nev)) < 0 ||
        dict_put(d, "iatjpo", PyLong_FromLong(c->iatjpo)) < 0 ||
        dict_put(d, "iaspar", PyLong_FromLong(c->iaspar)) < 0 ||
        dict_put(d, "two_j", c->two_j >= 0 ? PyLong_FromLong(c->two_j) : none()) < 0 ||
        dict_put(d, "j",
                 c->two_j >= 0 ? text(csfs_format_j(c->two_j, jbuf, sizeof jbuf)) : none()) < 0 ||
        dict_put(d, "parity",
                 c->parity != '?' ? PyUnicode_FromStringAndSize(&c->parity, 1) : none()) < 0 ||
        dict_put(d, "offset", u64(c->offset)) < 0 ||
        dict_put(d, "eav", known ? PyFloat_FromDouble(c->eav) : none()) < 0) {
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
    job_init(&m.base, mixing_run);
    m.path = PyBytes_AS_STRING(path);
    PyObject *result = NULL, *header = NULL, *blocks = NULL;
    if (run_job(&m.base) != 0) goto done;
    const csfs_mix_header *h = &m.header;
    result = PyDict_New();
    header = PyDict_New();
    blocks = PyList_New((Py_ssize_t)m.n);
    if (!result || !header || !blocks) goto fail;
    if (dict_put(header, "nelec", PyLong_FromLong(h->nelec)) < 0 ||
        dict_put(header, "ncftot", PyLong_FromLong(h->ncftot)) < 0 ||
        dict_put(header, "nw", PyLong_FromLong(h->nw)) < 0 ||
        dict_put(header, "nvectot", PyLong_FromLong(h->nvectot)) < 0 ||
        dict_put(header, "nvecsiz", PyLong_FromLong(h->nvecsiz)) < 0 ||
        dict_put(header, "nblock", PyLong_FromLong(h->nblock)) < 0)
        goto fail;
    for (size_t i = 0; i < m.n; i++) {
        PyObject *b = block_dict(&m.blocks[i]);
        if (!b) goto fail;
        PyList_SET_ITEM(blocks, (Py_ssize_t)i, b);
    }
    if (dict_put(result, "file", PyUnicode_DecodeFSDefault(m.path)) < 0 ||
        dict_put(result, "size", u64(m.size)) < 0 ||
        dict_put(result, "format", text(m.format)) < 0 ||
        dict_put(result, "marker_bytes", PyLong_FromLong(m.marker_bytes)) < 0 ||
        dict_put(result, "byte_order", text(m.big_endian ? "big" : "little")) < 0)
        goto fail;
    int rc = PyDict_SetItemString(result, "header", header);
    if (rc == 0) rc = PyDict_SetItemString(result, "blocks", blocks);
    if (rc == 0) goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(header);
    Py_XDECREF(blocks);
    mixing_job_free(&m);
    job_free(&m.base);
    Py_DECREF(path);
    return result;
}

/* ---- ci2_labels(path, csfs_path) ------------------------------------------------------------- */

typedef struct labels_job {
    job base;
    const char *mix_path, *list_path;
    csfs_mix_list list;
    csfs_mix_labels labels;
    int64_t *row;
} labels_job;

static int labels_run(job *j)
{
    labels_job *l = (labels_job *)j;
    int rc = csfs_mix_list_read(l->list_path, &l->list, &j->err);
    if (rc) return rc;
    if (j->cancel) return csfs_fail(&j->err, CSFS_E_CANCELLED, "%s: interrupted", l->mix_path);
    csfs_mix_reader *r;
    rc = csfs_mix_open(l->mix_path, &r, &j->err);
    if (rc) return rc;
    rc = csfs_mix_labels_compute(r, &l->list, &l->labels, &j->err);
    csfs_mix_close(r);
    if (rc) return rc;
    uint64_t n = l->labels.rows;
    l->row = malloc((n ? n : 1) * sizeof *l->row);
    if (!l->row) return csfs_fail(&j->err, CSFS_E_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) l->row[i] = (int64_t)i;
    return 0;
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
    job_init(&l.base, labels_run);
    l.mix_path = PyBytes_AS_STRING(mix);
    l.list_path = PyBytes_AS_STRING(list);
    PyObject *result = NULL;
    if (run_job(&l.base) == 0) {
        npy_intp n = (npy_intp)l.labels.rows;
        csfs_mix_labels *lb = &l.labels;
        named_buffer bufs[] = {{"row", l.row, 1, NPY_INT64, &n},
                               {"block", lb->block, 1, NPY_INT32, &n},
                               {"pos_in_block", lb->pos_in_block, 1, NPY_INT32, &n},
                               {"nlev", lb->nlev, 1, NPY_INT32, &n},
                               {"ci2_max", lb->ci2_max, 1, NPY_FLOAT64, &n},
                               {"level_argmax", lb->level_argmax, 1, NPY_INT32, &n}};
        l.row = NULL;
        memset(lb, 0, sizeof *lb); /* the arrays own the buffers now */
        result = PyDict_New();
        if (put_arrays(result, bufs, sizeof bufs / sizeof bufs[0]) < 0) Py_CLEAR(result);
    }
    free(l.row);
    csfs_mix_labels_free(&l.labels);
    csfs_mix_list_free(&l.list);
    job_free(&l.base);
    Py_DECREF(mix);
    Py_DECREF(list);
    return result;
}

/* ---- row selections ------------------------------------------------------------------------ */

/*
 * A selection of row indices: any sequence of ints or 1-D NumPy integer array,
 * copied to *rows (malloc'd; NULL when empty) as uint64. TypeError for
 * anything else (bool, float or str items, a 2-D array), ValueError for a
 * negative index. Order and repeats are kept: the library judges them.
 */
static int rows_from_object(PyObject *obj, const char *what, uint64_t **rows, size_t *n)
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

/* ---- export(input, output, rows=None, *, header, threads, force) ----------------------------- */

typedef struct export_job {
    job base;
    csfs_export_options opt;
    csfs_export_summary summary;
} export_job;

static int export_run(job *j)
{
    export_job *x = (export_job *)j;
    return csfs_export_run(&x->opt, &x->summary, &j->err);
}

/* Fills x->opt (x initialised by job_init) from input/output (bytes), header (bytes or
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
    return rows_from_object(rows_obj, what, rows, &x->opt.n_rows);
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
    job_init(&x.base, export_run);
    if (positive_or_none(threads_obj, "threads", 1024, &threads) < 0 ||
        path_or_none(header_obj, &header) < 0 ||
        export_setup(&x, input, output, header, rows_obj, "rows", &rows) < 0)
        goto done;
    x.opt.rows = rows;
    x.opt.threads = (int)threads;
    x.opt.force = force;
    if (run_job(&x.base) == 0) {
        result = PyDict_New();
        if (result && (dict_put(result, "csf_count", u64(x.summary.csf_count)) < 0 ||
                       dict_put(result, "input_rows", u64(x.summary.input_rows)) < 0 ||
                       dict_put(result, "block_count", u64(x.summary.block_count)) < 0 ||
                       dict_put(result, "output_bytes", u64(x.summary.output_bytes)) < 0 ||
                       dict_put(result, "header_source",
                                PyUnicode_DecodeFSDefault(x.summary.header_source)) < 0))
            Py_CLEAR(result);
    }
done:
    job_free(&x.base);
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
    job_init(&x.base, export_run);
    if (export_setup(&x, input, output, header, indices, "indices", &rows) < 0) goto done;
    x.opt.rows = rows;
    /* rCSFs 1.3: the full restore streams with the stored block lengths (the
     * export rule); a subset keeps the given order, repeats included. */
    x.opt.given_order = indices != Py_None;
    x.opt.force = 0; /* rCSFs published with overwrite=false */
    /* rCSFs raised OSError for every failure, bad indices included. */
    if (run_job_as(&x.base, 0) == 0) {
        result = PyDict_New();
        if (result &&
            (dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
             dict_put(result, "output_file", PyUnicode_DecodeFSDefault(x.opt.output)) < 0 ||
             dict_put(result, "record_count", u64(x.summary.csf_count)) < 0 ||
             dict_put(result, "output_bytes", u64(x.summary.output_bytes)) < 0))
            Py_CLEAR(result);
    }
done:
    job_free(&x.base);
    free(rows);
    Py_DECREF(input);
    Py_DECREF(header);
    Py_DECREF(output);
    return result;
}

/* ---- split_csfs_by_j(input_csf, output_dir=None, prefix=None, *, copy_w, overwrite) (rCSFs) -- */

typedef struct split_job {
    job base;
    csfs_split_options opt;
    csfs_split_summary summary;
} split_job;

static int split_run(job *j)
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
    if (!d || dict_put(d, "output_file", split_path(sum->prefix, sum->two_j[i], ".c")) < 0 ||
        dict_put(d, "w_file",
                 sum->w_copied ? split_path(sum->prefix, sum->two_j[i], ".w") : none()) < 0 ||
        dict_put(d, "block_index", u64(sum->first_block[i])) < 0 ||
        dict_put(d, "total_two_j", PyLong_FromLong(sum->two_j[i])) < 0 ||
        dict_put(d, "parity", text(sum->parity[i] > 0 ? "even" : "odd")) < 0 ||
        dict_put(d, "csf_count", u64(sum->csfs[i])) < 0 ||
        dict_put(d, "block_count", u64(sum->blocks[i])) < 0) {
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
    if (path_or_none(dir_obj, &dir) < 0 || path_or_none(prefix_obj, &prefix) < 0) goto done;
    split_job s;
    memset(&s, 0, sizeof s);
    job_init(&s.base, split_run);
    s.opt.input = PyBytes_AS_STRING(input);
    s.opt.dir = dir ? PyBytes_AS_STRING(dir) : NULL;
    s.opt.prefix = prefix ? PyBytes_AS_STRING(prefix) : NULL;
    s.opt.copy_w = copy_w;
    s.opt.force = overwrite;
    s.opt.cancel = &s.base.cancel;
    if (run_job(&s.base) == 0) {
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
        if (!outputs || !result || dict_put(result, "success", PyBool_FromLong(1)) < 0 ||
            dict_put(result, "input_file", PyUnicode_DecodeFSDefault(s.opt.input)) < 0 ||
            dict_put(result, "input_csf_count", u64(sum->csf_count)) < 0 ||
            dict_put(result, "block_count", u64(sum->block_count)) < 0 ||
            PyDict_SetItemString(result, "outputs", outputs) < 0)
            goto fail;
    }
    goto out;
fail:
    Py_CLEAR(result);
out:
    Py_XDECREF(outputs);
    job_free(&s.base);
done:
    Py_XDECREF(dir);
    Py_XDECREF(prefix);
    Py_DECREF(input);
    return result;
}

/* ---- module -----------------------------------------------------------------------------------
 */

static PyMethodDef methods[] = {
    {"descriptors", (PyCFunction)(void (*)(void))py_descriptors, METH_VARARGS | METH_KEYWORDS,
     "descriptors(path, peel=None, normalize=False, threads=None, *, layout=\"v1\", strict=False, "
     "chunk_bytes=None, keep_going=False)\n--\n\n"
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
     "num_workers=None)\n--\n\nCSF list -> CSF Parquet + header TOML (see csfs)."},
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
