/*
 * Python bindings of GRASP's list tools (include/csfs/list_tools.h):
 *   zerofirst / partition_csfs (rCSFs)                    rcsfzerofirst
 *   split_active_space / split_csfs_by_active_spaces (rCSFs)  rcsfsplit
 * Each runs off the GIL (Ctrl-C cancels), library warnings become
 * csfs.CsfsWarning, errors csfs.CsfsError (ValueError for bad arguments).
 */
#include "_csfs_py.h"

#include <stdlib.h>
#include <string.h>

/* ---- zerofirst / partition_csfs -------------------------------------------------------- */

typedef struct zf_job {
    py_job base;
    csfs_zerofirst_options opt;
    csfs_zerofirst_summary sum;
} zf_job;

static int zf_run(py_job *j)
{
    zf_job *z = (zf_job *)j;
    return csfs_zerofirst_run(&z->opt, &z->sum, &j->err);
}

static PyObject *zf_blocks(const csfs_zerofirst_summary *s)
{
    PyObject *l = PyList_New((Py_ssize_t)s->output_blocks);
    for (uint64_t i = 0; l && i < s->output_blocks; i++) {
        PyObject *d = PyDict_New();
        const csfs_zerofirst_block *b = &s->blocks[i];
        if (!d || py_dict_put(d, "zero", py_u64(b->zero)) < 0 ||
            py_dict_put(d, "full", py_u64(b->full)) < 0 ||
            py_dict_put(d, "first_order", py_u64(b->first)) < 0 ||
            py_dict_put(d, "zero_not_found", py_u64(b->not_found)) < 0) {
            Py_XDECREF(d);
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, d);
    }
    return l;
}

/* Runs the job; rcsfs: the rCSFs partition_csfs dict, else csfs' own. */
static PyObject *zf_call(zf_job *z, int rcsfs)
{
    PyObject *r = NULL;
    if (py_run_job(&z->base) != 0 || py_messages_warn(&z->base.msgs) != 0) goto out;
    const csfs_zerofirst_summary *s = &z->sum;
    r = PyDict_New();
    if (!r) goto out;
    int bad = 0;
    if (rcsfs) {
        bad = py_dict_put(r, "success", PyBool_FromLong(1)) < 0 ||
              py_dict_put(r, "zero_parquet", PyUnicode_DecodeFSDefault(z->opt.zero)) < 0 ||
              py_dict_put(r, "full_parquet", PyUnicode_DecodeFSDefault(z->opt.full)) < 0;
    }
    bad = bad ||
          py_dict_put(r, "output_file",
                      z->opt.output ? PyUnicode_DecodeFSDefault(z->opt.output) : py_none()) < 0 ||
          py_dict_put(r, "block_count", py_u64(s->output_blocks)) < 0 ||
          py_dict_put(r, "zero_csf_count", py_u64(s->zero_csfs)) < 0 ||
          py_dict_put(r, "full_csf_count", py_u64(s->full_csfs)) < 0 ||
          py_dict_put(r, "output_csf_count", py_u64(s->output_csfs)) < 0 ||
          py_dict_put(r, "first_order_count", py_u64(s->first_order_csfs)) < 0;
    if (!rcsfs)
        bad = bad || py_dict_put(r, "zero_block_count", py_u64(s->zero_blocks)) < 0 ||
              py_dict_put(r, "full_block_count", py_u64(s->full_blocks)) < 0 ||
              py_dict_put(r, "dropped_block_count", py_u64(s->dropped_blocks)) < 0 ||
              py_dict_put(r, "dropped_csf_count", py_u64(s->dropped_csfs)) < 0 ||
              py_dict_put(r, "blocks", zf_blocks(s)) < 0;
    if (bad) Py_CLEAR(r);
out:
    csfs_zerofirst_summary_free(&z->sum);
    py_job_free(&z->base);
    return r;
}

static void zf_init(zf_job *z)
{
    memset(z, 0, sizeof *z);
    py_job_init(&z->base, zf_run);
    csfs_zerofirst_options_init(&z->opt);
    z->opt.report = py_messages_add;
    z->opt.report_ctx = &z->base.msgs;
    z->opt.cancel = &z->base.cancel;
}

static PyObject *py_zerofirst(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"zero",    "full",        "output",      "keep_extra_blocks",
                             "force",   "csf_parquet", "v1",          "v1_normalized",
                             "v2",      "text_name",   "compression", "keep_long_lines",
                             "threads", NULL};
    PyObject *zero = NULL, *full = NULL, *output = NULL, *out_obj = Py_None;
    PyObject *eo[PY_ENGINE_KWARGS] = {Py_None, Py_None, Py_None, Py_None, Py_None, Py_None};
    PyObject *threads_obj = Py_None;
    int keep = 0, force = 0, keep_long = 0;
    long long threads = 0;
    py_engine eng;
    memset(&eng, 0, sizeof eng);
    PyObject *r = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&O|$ppOOOOOOpO:zerofirst", kwlist,
                                     PyUnicode_FSConverter, &zero, PyUnicode_FSConverter, &full,
                                     &out_obj, &keep, &force, &eo[0], &eo[1], &eo[2], &eo[3],
                                     &eo[4], &eo[5], &keep_long, &threads_obj))
        goto fail;
    if (py_path_or_none(out_obj, &output) < 0 || py_engine_from_objects(&eng, eo) < 0 ||
        py_positive_or_none(threads_obj, "threads", 1024, &threads) < 0)
        goto fail;
    zf_job z;
    zf_init(&z);
    z.opt.zero = PyBytes_AS_STRING(zero);
    z.opt.full = PyBytes_AS_STRING(full);
    z.opt.output = output ? PyBytes_AS_STRING(output) : NULL;
    z.opt.keep_extra_blocks = keep;
    z.opt.force = force;
    z.opt.engine = eng.o;
    z.opt.keep_long_lines = keep_long;
    z.opt.threads = (int)threads;
    r = zf_call(&z, 0);
fail:
    py_engine_free(&eng);
    Py_XDECREF(zero);
    Py_XDECREF(full);
    Py_XDECREF(output);
    return r;
}

static PyObject *py_partition_csfs(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"zero_parquet", "zero_header", "full_parquet",
                             "full_header",  "output_csf",  NULL};
    PyObject *p[5] = {NULL, NULL, NULL, NULL, NULL};
    PyObject *r = NULL;
    if (PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&O&O&O&:partition_csfs", kwlist,
                                    PyUnicode_FSConverter, &p[0], PyUnicode_FSConverter, &p[1],
                                    PyUnicode_FSConverter, &p[2], PyUnicode_FSConverter, &p[3],
                                    PyUnicode_FSConverter, &p[4])) {
        zf_job z;
        zf_init(&z);
        z.opt.zero = PyBytes_AS_STRING(p[0]);
        z.opt.zero_header = PyBytes_AS_STRING(p[1]);
        z.opt.full = PyBytes_AS_STRING(p[2]);
        z.opt.full_header = PyBytes_AS_STRING(p[3]);
        z.opt.output = PyBytes_AS_STRING(p[4]);
        z.opt.require_same_block_count =
            1; /* rCSFs: "both files must report the same block count" */
        r = zf_call(&z, 1);
    }
    for (int i = 0; i < 5; i++) Py_XDECREF(p[i]);
    return r;
}

/* ---- split_active_space / split_csfs_by_active_spaces ----------------------------------- */

typedef struct sa_job {
    py_job base;
    csfs_split_active_options opt;
    csfs_split_active_summary sum;
} sa_job;

static int sa_run(py_job *j)
{
    sa_job *s = (sa_job *)j;
    return csfs_split_active_run(&s->opt, &s->sum, &j->err);
}

/* (key, value) pairs of a mapping or of a sequence of pairs, as new references. */
static PyObject *pairs_of(PyObject *obj, const char *what)
{
    PyObject *items = PyMapping_Check(obj) && !PySequence_Check(obj) ? PyMapping_Items(obj)
                                                                     : PySequence_List(obj);
    if (!items) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(it) || PyTuple_GET_SIZE(it) != 2) {
            PyErr_Format(PyExc_TypeError, "%s: a mapping or a sequence of (key, value) pairs",
                         what);
            Py_DECREF(items);
            return NULL;
        }
    }
    if (n == 0) {
        PyErr_Format(PyExc_ValueError, "%s: at least one active orbital set is required", what);
        Py_DECREF(items);
        return NULL;
    }
    return items;
}

/*
 * rcsfs: targets maps output path -> orbitals (outputs {output_file,
 * maximum_orbitals, csf_count, block_lengths}); else sets maps label ->
 * orbitals (outputs also carry the label).
 */
static PyObject *sa_call(PyObject *input, PyObject *header, PyObject *prefix, PyObject *dir,
                         PyObject *pairs, int rcsfs, int force, const py_engine *eng, int keep_long,
                         int threads)
{
    Py_ssize_t n = PyList_GET_SIZE(pairs);
    csfs_active_set *sets = calloc((size_t)n, sizeof *sets);
    PyObject **keep = calloc((size_t)(2 * n), sizeof *keep);
    PyObject *r = NULL, *outs = NULL;
    if (!sets || !keep) {
        free(sets);
        free(keep);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PyList_GET_ITEM(pairs, i);
        PyObject *k = PyTuple_GET_ITEM(it, 0), *v = PyTuple_GET_ITEM(it, 1);
        if (!PyUnicode_FSConverter(k, &keep[2 * i])) goto done;
        if (!PyUnicode_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "active orbitals must be a str like '5s,4p,3d'");
            goto done;
        }
        keep[2 * i + 1] = PyUnicode_AsUTF8String(v);
        if (!keep[2 * i + 1]) goto done;
        if (rcsfs)
            sets[i].output = PyBytes_AS_STRING(keep[2 * i]);
        else
            sets[i].label = PyBytes_AS_STRING(keep[2 * i]);
        sets[i].orbitals = PyBytes_AS_STRING(keep[2 * i + 1]);
    }
    sa_job s;
    memset(&s, 0, sizeof s);
    py_job_init(&s.base, sa_run);
    csfs_split_active_options_init(&s.opt);
    s.opt.input = PyBytes_AS_STRING(input);
    s.opt.input_header = header ? PyBytes_AS_STRING(header) : NULL;
    s.opt.prefix = prefix ? PyBytes_AS_STRING(prefix) : NULL;
    s.opt.dir = dir ? PyBytes_AS_STRING(dir) : NULL;
    s.opt.sets = sets;
    s.opt.n_sets = (size_t)n;
    s.opt.force = force;
    if (eng) s.opt.engine = eng->o;
    s.opt.keep_long_lines = keep_long;
    s.opt.threads = threads;
    s.opt.report = py_messages_add;
    s.opt.report_ctx = &s.base.msgs;
    s.opt.cancel = &s.base.cancel;
    if (py_run_job_as(&s.base, 1) == 0 && py_messages_warn(&s.base.msgs) == 0) {
        outs = PyList_New((Py_ssize_t)s.sum.n_outputs);
        for (size_t i = 0; outs && i < s.sum.n_outputs; i++) {
            const csfs_split_active_output *o = &s.sum.outputs[i];
            PyObject *d = PyDict_New(), *bl = PyList_New((Py_ssize_t)o->n_blocks);
            for (size_t b = 0; bl && b < o->n_blocks; b++) {
                PyObject *v = py_u64(o->block_lengths[b]);
                if (!v)
                    Py_CLEAR(bl);
                else
                    PyList_SET_ITEM(bl, (Py_ssize_t)b, v);
            }
            PyObject *path = rcsfs ? PyUnicode_DecodeFSDefault(sets[i].output)
                                   : PyUnicode_DecodeFSDefault(o->path);
            if (!d || !bl || py_dict_put(d, "output_file", path) < 0 ||
                (!rcsfs && py_dict_put(d, "label", PyUnicode_DecodeFSDefault(sets[i].label)) < 0) ||
                py_dict_put(d, "maximum_orbitals", PyUnicode_FromString(sets[i].orbitals)) < 0 ||
                py_dict_put(d, "csf_count", py_u64(o->csfs)) < 0 ||
                py_dict_put(d, "block_lengths", bl) < 0) {
                Py_XDECREF(d);
                Py_CLEAR(outs);
                break;
            }
            bl = NULL;
            PyList_SET_ITEM(outs, (Py_ssize_t)i, d);
        }
        r = outs ? PyDict_New() : NULL;
        if (r && (py_dict_put(r, "input_csf_count", py_u64(s.sum.csf_count)) < 0 ||
                  py_dict_put(r, "block_count", py_u64(s.sum.block_count)) < 0 ||
                  PyDict_SetItemString(r, "outputs", outs) < 0))
            Py_CLEAR(r);
    }
    csfs_split_active_summary_free(&s.sum);
    py_job_free(&s.base);
done:
    Py_XDECREF(outs);
    for (Py_ssize_t i = 0; i < 2 * n; i++) Py_XDECREF(keep[i]);
    free(keep);
    free(sets);
    return r;
}

static PyObject *py_split_active_space(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input",           "sets",    "prefix",      "output_dir",
                             "header",          "force",   "csf_parquet", "v1",
                             "v1_normalized",   "v2",      "text_name",   "compression",
                             "keep_long_lines", "threads", NULL};
    PyObject *input = NULL, *sets_obj, *prefix_obj = Py_None, *dir_obj = Py_None;
    PyObject *header_obj = Py_None, *prefix = NULL, *dir = NULL, *header = NULL, *pairs = NULL;
    PyObject *eo[PY_ENGINE_KWARGS] = {Py_None, Py_None, Py_None, Py_None, Py_None, Py_None};
    PyObject *threads_obj = Py_None;
    PyObject *r = NULL;
    int force = 0, keep_long = 0;
    long long threads = 0;
    py_engine eng;
    memset(&eng, 0, sizeof eng);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O|$OOOpOOOOOOpO:split_active_space", kwlist,
                                     PyUnicode_FSConverter, &input, &sets_obj, &prefix_obj,
                                     &dir_obj, &header_obj, &force, &eo[0], &eo[1], &eo[2], &eo[3],
                                     &eo[4], &eo[5], &keep_long, &threads_obj))
        return NULL;
    if (py_path_or_none(prefix_obj, &prefix) == 0 && py_path_or_none(dir_obj, &dir) == 0 &&
        py_path_or_none(header_obj, &header) == 0 && py_engine_from_objects(&eng, eo) == 0 &&
        py_positive_or_none(threads_obj, "threads", 1024, &threads) == 0 &&
        (pairs = pairs_of(sets_obj, "sets")))
        r = sa_call(input, header, prefix, dir, pairs, 0, force, &eng, keep_long, (int)threads);
    py_engine_free(&eng);
    Py_XDECREF(pairs);
    Py_XDECREF(prefix);
    Py_XDECREF(dir);
    Py_XDECREF(header);
    Py_DECREF(input);
    return r;
}

static PyObject *py_split_by_active_spaces(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"input_parquet", "header_path", "targets", NULL};
    PyObject *input = NULL, *header = NULL, *targets, *pairs = NULL, *r = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&O:split_csfs_by_active_spaces", kwlist,
                                     PyUnicode_FSConverter, &input, PyUnicode_FSConverter, &header,
                                     &targets))
        goto out;
    pairs = pairs_of(targets, "targets");
    if (pairs) r = sa_call(input, header, NULL, NULL, pairs, 1, 0, NULL, 0, 0);
out:
    Py_XDECREF(pairs);
    Py_XDECREF(input);
    Py_XDECREF(header);
    return r;
}

PyMethodDef csfs_py_list_tools_methods[] = {
    {"zerofirst", (PyCFunction)(void (*)(void))py_zerofirst, METH_VARARGS | METH_KEYWORDS,
     "zerofirst(zero, full, output, *, keep_extra_blocks=False, force=False)\n--\n\n"
     "GRASP's rcsfzerofirst: per block the zero-order CSFs first (see csfs zerofirst)."},
    {"partition_csfs", (PyCFunction)(void (*)(void))py_partition_csfs, METH_VARARGS | METH_KEYWORDS,
     "partition_csfs(zero_parquet, zero_header, full_parquet, full_header, output_csf)\n--\n\n"
     "rCSFs' zero-first partition, with GRASP's rcsfzerofirst output bytes."},
    {"split_active_space", (PyCFunction)(void (*)(void))py_split_active_space,
     METH_VARARGS | METH_KEYWORDS,
     "split_active_space(input, sets, *, prefix=None, output_dir=None, header=None, "
     "force=False)\n--\n\n"
     "GRASP's rcsfsplit: one list <prefix><label>.c per active set {label: '5s,4p,3d'}."},
    {"split_csfs_by_active_spaces", (PyCFunction)(void (*)(void))py_split_by_active_spaces,
     METH_VARARGS | METH_KEYWORDS,
     "split_csfs_by_active_spaces(input_parquet, header_path, targets)\n--\n\n"
     "rCSFs' active-space split ({output path: '5s,4p,3d'}), with GRASP's rcsfsplit bytes."},
    {NULL, NULL, 0, NULL},
};
