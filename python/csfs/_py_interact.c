/*
 * Python binding of csfs_interact_run / csfs_interact_explain (GRASP's
 * rcsfinteract): _csfs.interact(mr, candidates, output, hamiltonian,
 * by_j, threads, overwrite) -> dict, _csfs.interact_explain(...) -> str.
 */
#include "_csfs_py.h"

typedef struct interact_job {
    py_job base;
    csfs_interact_options opt;
    csfs_interact_summary summary;
} interact_job;

static int interact_run(py_job *j)
{
    interact_job *c = (interact_job *)j;
    return csfs_interact_run(&c->opt, &c->summary, &j->err);
}

static int hamiltonian_from(const char *s, csfs_hamiltonian *h)
{
    if (!strcmp(s, "dc") || !strcmp(s, "dirac_coulomb"))
        *h = CSFS_HAMILTONIAN_DC;
    else if (!strcmp(s, "dcb") || !strcmp(s, "dirac_coulomb_breit"))
        *h = CSFS_HAMILTONIAN_DCB;
    else {
        PyErr_Format(PyExc_ValueError,
                     "hamiltonian must be 'dc' (Dirac-Coulomb) or 'dcb' (Dirac-Coulomb-Breit), "
                     "not '%s'",
                     s);
        return -1;
    }
    return 0;
}

static PyObject *block_dict(const csfs_interact_block *b, size_t index)
{
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    char parity[2] = {b->parity < 0 ? '-' : '+', 0};
    if (py_dict_put(d, "block_index", py_u64(index)) < 0 ||
        py_dict_put(d, "total_two_j", PyLong_FromLong(b->two_j)) < 0 ||
        py_dict_put(d, "parity", PyUnicode_FromString(parity)) < 0 ||
        py_dict_put(d, "reference_count", py_u64(b->mr)) < 0 ||
        py_dict_put(d, "candidate_count", py_u64(b->candidates)) < 0 ||
        py_dict_put(d, "exact_reference_skipped", py_u64(b->skipped)) < 0 ||
        py_dict_put(d, "selected_count", py_u64(b->selected)) < 0 ||
        py_dict_put(d, "rejected_count", py_u64(b->candidates - b->skipped - b->selected)) < 0 ||
        py_dict_put(d, "output_count", py_u64(b->kept)) < 0)
        Py_CLEAR(d);
    return d;
}

static PyObject *py_interact(PyObject *self, PyObject *args, PyObject *kwargs)
{
    (void)self;
    static char *kwlist[] = {"mr",          "candidates",      "output",    "hamiltonian",
                             "by_j",        "threads",         "overwrite", "csf_parquet",
                             "v1",          "v1_normalized",   "v2",        "text_name",
                             "compression", "keep_long_lines", NULL};
    PyObject *mr = NULL, *cand = NULL, *out_obj = Py_None, *out = NULL, *threads_obj = Py_None;
    PyObject *result = NULL;
    PyObject *eo[PY_ENGINE_KWARGS] = {Py_None, Py_None, Py_None, Py_None, Py_None, Py_None};
    const char *ham = "dc";
    int by_j = 0, overwrite = 0, keep_long = 0;
    py_engine eng;
    memset(&eng, 0, sizeof eng);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&O|spOp$OOOOOOp:interact", kwlist,
                                     PyUnicode_FSConverter, &mr, PyUnicode_FSConverter, &cand,
                                     &out_obj, &ham, &by_j, &threads_obj, &overwrite, &eo[0],
                                     &eo[1], &eo[2], &eo[3], &eo[4], &eo[5], &keep_long))
        goto done;
    if (py_path_or_none(out_obj, &out) < 0 || py_engine_from_objects(&eng, eo) < 0) goto done;
    long long threads;
    csfs_hamiltonian h;
    if (hamiltonian_from(ham, &h) < 0 ||
        py_positive_or_none(threads_obj, "threads", 1024, &threads) < 0)
        goto done;
    interact_job c;
    py_job_init(&c.base, interact_run);
    csfs_interact_options_init(&c.opt);
    c.opt.mr = PyBytes_AS_STRING(mr);
    c.opt.candidates = PyBytes_AS_STRING(cand);
    c.opt.output = out ? PyBytes_AS_STRING(out) : NULL;
    c.opt.engine = eng.o;
    c.opt.keep_long_lines = keep_long;
    c.opt.hamiltonian = h;
    c.opt.by_j = by_j;
    c.opt.threads = (int)threads;
    c.opt.force = overwrite;
    c.opt.report = py_messages_add;
    c.opt.report_ctx = &c.base.msgs;
    c.opt.cancel = &c.base.cancel;
    memset(&c.summary, 0, sizeof c.summary);
    if (py_run_job(&c.base) == 0 && py_messages_warn(&c.base.msgs) == 0) {
        PyObject *blocks = PyList_New(0);
        uint64_t mr_n = 0, skipped = 0, selected = 0;
        for (size_t b = 0; blocks && b < c.summary.n_blocks; b++) {
            const csfs_interact_block *bk = &c.summary.blocks[b];
            mr_n += bk->mr;
            skipped += bk->skipped;
            selected += bk->selected;
            PyObject *d = block_dict(bk, b);
            if (!d || PyList_Append(blocks, d) < 0) Py_CLEAR(blocks);
            Py_XDECREF(d);
        }
        result = blocks ? PyDict_New() : NULL;
        if (result &&
            (py_dict_put(result, "exact", PyBool_FromLong(1)) < 0 ||
             py_dict_put(result, "hamiltonian",
                         PyUnicode_FromString(h == CSFS_HAMILTONIAN_DC ? "dirac_coulomb"
                                                                       : "dirac_coulomb_breit")) <
                 0 ||
             py_dict_put(result, "reference_file", PyUnicode_DecodeFSDefault(c.opt.mr)) < 0 ||
             py_dict_put(result, "candidate_file", PyUnicode_DecodeFSDefault(c.opt.candidates)) <
                 0 ||
             py_dict_put(result, "output_file",
                         c.opt.output ? PyUnicode_DecodeFSDefault(c.opt.output) : py_none()) < 0 ||
             py_dict_put(result, "block_count", py_u64(c.summary.n_blocks)) < 0 ||
             py_dict_put(result, "reference_count", py_u64(mr_n)) < 0 ||
             py_dict_put(result, "candidate_count", py_u64(c.summary.candidates)) < 0 ||
             py_dict_put(result, "exact_reference_skipped", py_u64(skipped)) < 0 ||
             py_dict_put(result, "selected_count", py_u64(selected)) < 0 ||
             py_dict_put(result, "rejected_count",
                         py_u64(c.summary.candidates - skipped - selected)) < 0 ||
             py_dict_put(result, "output_count", py_u64(c.summary.written)) < 0 ||
             py_dict_put(result, "output_bytes", py_u64(c.summary.output_bytes)) < 0 ||
             py_dict_put(result, "threads", PyLong_FromLong(c.summary.threads)) < 0 ||
             py_dict_put(result, "blocks", blocks) < 0)) {
            Py_CLEAR(result);
        } else if (!result) {
            Py_XDECREF(blocks);
        }
    }
    csfs_interact_summary_free(&c.summary);
    py_job_free(&c.base);
done:
    py_engine_free(&eng);
    Py_XDECREF(mr);
    Py_XDECREF(cand);
    Py_XDECREF(out);
    return result;
}

static PyObject *py_interact_explain(PyObject *self, PyObject *args, PyObject *kwargs)
{
    (void)self;
    static char *kwlist[] = {"mr", "candidates", "row", "hamiltonian", NULL};
    PyObject *mr = NULL, *cand = NULL, *result = NULL;
    long long row;
    const char *ham = "dc";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&O&L|s:interact_explain", kwlist,
                                     PyUnicode_FSConverter, &mr, PyUnicode_FSConverter, &cand, &row,
                                     &ham))
        goto done;
    csfs_hamiltonian h;
    if (hamiltonian_from(ham, &h) < 0) goto done;
    if (row < 0) {
        PyErr_SetString(PyExc_ValueError, "row is a 0-based CSF index");
        goto done;
    }
    csfs_interact_options opt;
    csfs_interact_options_init(&opt);
    opt.mr = PyBytes_AS_STRING(mr);
    opt.candidates = PyBytes_AS_STRING(cand);
    opt.hamiltonian = h;
    char text[8192];
    csfs_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = csfs_interact_explain(&opt, (uint64_t)row, text, sizeof text, &err);
    Py_END_ALLOW_THREADS if (rc) py_raise_error(&err);
    else result = PyUnicode_FromString(text);
done:
    Py_XDECREF(mr);
    Py_XDECREF(cand);
    return result;
}

PyMethodDef csfs_py_interact_methods[] = {
    {"interact", (PyCFunction)(void (*)(void))py_interact, METH_VARARGS | METH_KEYWORDS,
     "interact(mr, candidates, output, hamiltonian='dc', by_j=False, threads=None, "
     "overwrite=False) -> dict: GRASP's rcsfinteract, exactly"},
    {"interact_explain", (PyCFunction)(void (*)(void))py_interact_explain,
     METH_VARARGS | METH_KEYWORDS,
     "interact_explain(mr, candidates, row, hamiltonian='dc') -> str: why candidate row "
     "(0-based) is kept or not"},
    {NULL, NULL, 0, NULL},
};
