/* Python bindings of csfs generate (GRASP's rcsfgenerate): _generate and _generate_count. */
#include "_csfs_py.h"

#include <stdlib.h>
#include <string.h>

typedef struct gen_job {
    py_job base;
    csfs_generate_options opt;
    csfs_generate_report rep;
    csfs_descriptor_output douts[3];
    int count_only;
} gen_job;

static int gen_run(py_job *j)
{
    gen_job *g = (gen_job *)j;
    return g->count_only ? csfs_generate_count(&g->opt, &g->rep, &j->err)
                         : csfs_generate_run(&g->opt, &g->rep, &j->err);
}

static PyObject *report_dict(const csfs_generate_report *r)
{
    PyObject *d = PyDict_New(), *blocks = PyList_New((Py_ssize_t)r->block_count);
    PyObject *est = PyDict_New();
    if (!d || !blocks || !est) goto fail;
    for (size_t i = 0; i < r->n_estimates; i++)
        if (py_dict_put(est, r->estimates[i].path, py_u64(r->estimates[i].bytes)) < 0) goto fail;
    for (size_t i = 0; i < r->block_count; i++) {
        PyObject *b = PyDict_New();
        if (!b) goto fail;
        PyList_SET_ITEM(blocks, (Py_ssize_t)i, b);
        if (py_dict_put(b, "two_j", PyLong_FromLong(r->blocks[i].two_j)) < 0 ||
            py_dict_put(b, "parity", py_text(r->blocks[i].parity ? "-" : "+")) < 0 ||
            py_dict_put(b, "csf_count", py_u64(r->blocks[i].csf_count)) < 0)
            goto fail;
    }
    if (py_dict_put(d, "csf_count", py_u64(r->csf_count)) < 0 ||
        py_dict_put(d, "configuration_count", py_u64(r->configuration_count)) < 0 ||
        PyDict_SetItemString(d, "blocks", blocks) < 0 ||
        py_dict_put(d, "core", py_text(r->core)) < 0 ||
        py_dict_put(d, "peel", py_text(r->peel)) < 0 ||
        py_dict_put(d, "text_bytes", py_u64(r->text_bytes)) < 0 ||
        py_dict_put(d, "warnings", py_u64(r->warnings)) < 0 ||
        py_dict_put(d, "skipped_over_20_subshells", py_u64(r->skipped_over_20)) < 0 ||
        py_dict_put(d, "seconds", PyFloat_FromDouble(r->seconds)) < 0 ||
        PyDict_SetItemString(d, "output_bytes_estimated", est) < 0)
        goto fail;
    Py_DECREF(blocks);
    Py_DECREF(est);
    return d;
fail:
    Py_XDECREF(est);
    Py_XDECREF(blocks);
    Py_XDECREF(d);
    return NULL;
}

/* _generate(dialog_path, dialog_text, output, *, count, clist, strict, force, force_space,
 *           threads, csf_parquet, v1, v1_normalized, v2, text_name, compression) */
static PyObject *py_generate(PyObject *self, PyObject *args, PyObject *kwargs)
{
    (void)self;
    static char *kwlist[] = {"dialog_path", "dialog_text", "output",      "count",
                             "clist",       "strict",      "force",       "force_space",
                             "threads",     "csf_parquet", "v1",          "v1_normalized",
                             "v2",          "text_name",   "compression", NULL};
    PyObject *dpath_o = Py_None, *dtext_o = Py_None, *out_o = Py_None, *clist_o = Py_None;
    PyObject *pq_o = Py_None, *v1_o = Py_None, *v1n_o = Py_None, *v2_o = Py_None;
    PyObject *name_o = Py_None, *comp_o = Py_None, *threads_o = Py_None;
    int count = 0, strict = 0, force = 0, force_space = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOO$pOpppOOOOOOO:_generate", kwlist, &dpath_o,
                                     &dtext_o, &out_o, &count, &clist_o, &strict, &force,
                                     &force_space, &threads_o, &pq_o, &v1_o, &v1n_o, &v2_o, &name_o,
                                     &comp_o))
        return NULL;
    PyObject *dpath = NULL, *out = NULL, *clist = NULL, *pq = NULL, *v1 = NULL, *v1n = NULL;
    PyObject *v2 = NULL, *tname = NULL, *result = NULL;
    const char *dtext = NULL;
    Py_ssize_t dlen = 0;
    long long threads = 0;
    gen_job g;
    memset(&g, 0, sizeof g);
    py_job_init(&g.base, gen_run);
    if (py_path_or_none(dpath_o, &dpath) < 0 || py_path_or_none(out_o, &out) < 0 ||
        py_path_or_none(clist_o, &clist) < 0 || py_path_or_none(pq_o, &pq) < 0 ||
        py_path_or_none(v1_o, &v1) < 0 || py_path_or_none(v1n_o, &v1n) < 0 ||
        py_path_or_none(v2_o, &v2) < 0 || py_path_or_none(name_o, &tname) < 0 ||
        py_positive_or_none(threads_o, "threads", 4096, &threads) < 0)
        goto done;
    if (dtext_o != Py_None) {
        dtext = PyUnicode_AsUTF8AndSize(dtext_o, &dlen);
        if (!dtext) goto done;
    }
    csfs_generate_options_init(&g.opt);
    if (comp_o != Py_None &&
        py_codec_from_object(comp_o, &g.opt.engine.codec, &g.opt.engine.codec_level) < 0)
        goto done;
    g.opt.dialog = dpath ? PyBytes_AS_STRING(dpath) : NULL;
    g.opt.dialog_text = dtext;
    g.opt.dialog_len = (size_t)dlen;
    g.opt.output = out ? PyBytes_AS_STRING(out) : NULL;
    g.opt.clist = clist ? PyBytes_AS_STRING(clist) : NULL;
    g.opt.strict = strict;
    g.opt.force = force;
    g.opt.force_space = force_space;
    g.opt.threads = (int)threads;
    g.opt.engine.csf_parquet = pq ? PyBytes_AS_STRING(pq) : NULL;
    g.opt.engine.text_name = tname ? PyBytes_AS_STRING(tname) : NULL;
    size_t nd = 0;
    PyObject *douts[3] = {v1, v1n, v2};
    for (int i = 0; i < 3; i++) {
        if (!douts[i]) continue;
        g.douts[nd].path = PyBytes_AS_STRING(douts[i]);
        g.douts[nd].layout = i == 2 ? CSFS_LAYOUT_V2 : CSFS_LAYOUT_V1;
        g.douts[nd].normalize = i == 1;
        nd++;
    }
    g.opt.engine.descriptors = g.douts;
    g.opt.engine.n_descriptors = nd;
    g.opt.report = py_messages_add;
    g.opt.report_ctx = &g.base.msgs;
    g.opt.cancel = &g.base.cancel;
    g.count_only = count;
    if (py_run_job(&g.base) == 0) {
        if (py_messages_warn(&g.base.msgs) == 0) result = report_dict(&g.rep);
        csfs_generate_report_free(&g.rep);
    }
    py_job_free(&g.base);
done:
    Py_XDECREF(dpath);
    Py_XDECREF(out);
    Py_XDECREF(clist);
    Py_XDECREF(pq);
    Py_XDECREF(v1);
    Py_XDECREF(v1n);
    Py_XDECREF(v2);
    Py_XDECREF(tname);
    return result;
}

PyMethodDef csfs_py_generate_methods[] = {
    {"_generate", (PyCFunction)(void (*)(void))py_generate, METH_VARARGS | METH_KEYWORDS,
     "_generate(dialog_path=None, dialog_text=None, output=None, *, count=False, ...): "
     "GRASP's rcsfgenerate (see csfs.generate)."},
    {NULL, NULL, 0, NULL},
};
