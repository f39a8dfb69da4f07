/*
 * Shared helpers of the csfs extension's C files (python/csfs/_*.c): raising
 * library errors as Python exceptions, running a library call off the GIL
 * with Ctrl-C cancelling it, collecting library messages as CsfsWarning, and
 * argument conversions. Each binding file defines a NULL-terminated
 * PyMethodDef table, listed in method_tables in _csfs.c.
 *
 * Binding a long library call takes: a struct starting with `py_job`, a run
 * function making the call, and a Python function that fills the struct,
 * calls py_run_job() and converts the result (see _csfs.c's descriptors).
 */
#ifndef CSFS_PY_H
#define CSFS_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdint.h>

#define PY_ARRAY_UNIQUE_SYMBOL csfs_ARRAY_API
#ifndef CSFS_PY_IMPORT_ARRAY
#define NO_IMPORT_ARRAY /* only _csfs.c calls import_array() */
#endif
#include <numpy/arrayobject.h>

#include "csfs.h"

/* How often a waiting call looks for Ctrl-C: the delay it adds to an interrupt. */
#define POLL_MS 50
/* Messages kept per call; the library itself reports only the first few failures. */
#define MAX_MESSAGES 200
#define MATRIX_CAPSULE "csfs.matrix"
#define BUFFER_CAPSULE "csfs.buffer"

extern PyObject *CsfsError;   /* csfs.CsfsError, an OSError */
extern PyObject *CsfsWarning; /* csfs.CsfsWarning, a UserWarning */

typedef struct py_messages {
    pthread_mutex_t mu;
    char **items;
    size_t n, cap;
} py_messages;

typedef struct py_job py_job;
struct py_job {
    int (*run)(py_job *j); /* the library call; runs without the GIL */
    volatile int cancel;   /* raised when a signal handler raised; polled by the library */
    csfs_error err;        /* filled by the library call */
    py_messages msgs;      /* report callback context */
    int rc, done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

PyObject *py_text(const char *s);
PyObject *py_none(void);
int py_set_attr(PyObject *obj, const char *name, PyObject *value);
PyObject *py_raise_error_as(const csfs_error *e, int argument_is_value_error);
PyObject *py_raise_error(const csfs_error *e);
void py_messages_init(py_messages *m);
void py_messages_add(void *ctx, const char *message);
int py_messages_warn(py_messages *m);
void py_messages_free(py_messages *m);
void py_job_init(py_job *j, int (*run)(py_job *));
void py_job_free(py_job *j);
int py_run_job_as(py_job *j, int argument_is_value_error);
int py_run_job(py_job *j);
int py_peel_from_object(PyObject *obj, int allow_none, csfs_peel **out);
int py_positive_or_none(PyObject *obj, const char *what, long long max, long long *out);
PyObject *py_matrix_to_array(csfs_matrix *m);
int py_layout_from_object(PyObject *obj, const char *what, csfs_layout *out);
int py_codec_from_object(PyObject *obj, csfs_codec *codec, int *level);
int py_path_or_none(PyObject *obj, PyObject **out);
int py_dict_put(PyObject *d, const char *key, PyObject *value);

/* The engine outputs of a list-writing call, from its keyword arguments
 * csf_parquet, v1, v1_normalized, v2, text_name, compression (each None or a
 * path / codec string), in that order in objs. e->o points into e: keep e
 * alive while the options use it; py_engine_free releases the paths. */
#define PY_ENGINE_KWARGS 6
typedef struct py_engine {
    csfs_engine_outputs o;
    csfs_descriptor_output d[3];
    PyObject *keep[5];
} py_engine;
int py_engine_from_objects(py_engine *e, PyObject *const objs[PY_ENGINE_KWARGS]);
void py_engine_free(py_engine *e);
PyObject *py_u64(uint64_t v);
PyObject *py_peel_to_list(const csfs_peel *peel);
PyObject *py_owned_array(void *data, int nd, npy_intp *dims, int type);
int py_rows_from_object(PyObject *obj, const char *what, uint64_t **rows, size_t *n);
int py_add_object(PyObject *module, const char *name, PyObject *obj);
int py_add_exceptions(PyObject *module);

/* The binding files' method tables (each NULL-terminated). */
extern PyMethodDef csfs_py_core_methods[];
extern PyMethodDef csfs_py_list_tools_methods[];
extern PyMethodDef csfs_py_select_methods[];
extern PyMethodDef csfs_py_generate_methods[];
extern PyMethodDef csfs_py_stream_methods[];
extern PyMethodDef csfs_py_interact_methods[];

#endif /* CSFS_PY_H */
