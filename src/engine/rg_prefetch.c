#include "engine/rg_prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY, SLOT_FAILED };

typedef struct slot {
    enum slot_state state;
    size_t item; /* position in the group list */
    pq_column_data data[CSFS_RG_MAX_COLS];
    csfs_error err;
} slot;

struct csfs_rg_prefetch {
    const pq_file *f;
    long cols[CSFS_RG_MAX_COLS];
    int n_cols;
    size_t *groups;
    size_t n_groups;
    size_t n_slots;
    slot *slots;
    /* shared state, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next_item; /* next list position a worker may take */
    size_t consumer;  /* list position next() returns next */
    int stop;
    pthread_t *workers;
    size_t n_workers;
};

static int decode(csfs_rg_prefetch *p, slot *s)
{
    size_t rg = p->groups[s->item];
    for (int k = 0; k < p->n_cols; k++) {
        if (p->cols[k] < 0) continue;
        int rc = pq_read_column(p->f, rg, (size_t)p->cols[k], &s->data[k], &s->err);
        if (rc) return rc;
    }
    return 0;
}

/* A worker takes the next list position while its slot is free: the slot
 * of position i is i % n_slots, so at most n_slots positions are in flight. */
static void *worker(void *arg)
{
    csfs_rg_prefetch *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !(p->next_item < p->n_groups &&
                             p->slots[p->next_item % p->n_slots].state == SLOT_FREE))
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop) break;
        slot *s = &p->slots[p->next_item % p->n_slots];
        s->item = p->next_item++;
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&p->mu);
        int rc = decode(p, s);
        pthread_mutex_lock(&p->mu);
        s->state = rc ? SLOT_FAILED : SLOT_READY;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int csfs_rg_prefetch_start(const pq_file *f, const long *cols, int n_cols, const size_t *groups,
                           size_t n_groups, int threads, csfs_rg_prefetch **out, csfs_error *err)
{
    *out = NULL;
    if (n_cols < 1 || n_cols > CSFS_RG_MAX_COLS)
        return csfs_fail(err, CSFS_E_ARGUMENT, "row group prefetch: bad column count");
    if (threads < 0) threads = 0;
    if (threads > 64) threads = 64;
    if ((size_t)threads > n_groups) threads = (int)n_groups;
    csfs_rg_prefetch *p = calloc(1, sizeof *p);
    if (!p) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    p->f = f;
    p->n_cols = n_cols;
    memcpy(p->cols, cols, (size_t)n_cols * sizeof *cols);
    p->n_groups = n_groups;
    p->n_slots = (size_t)threads + 1;
    p->groups = malloc((n_groups ? n_groups : 1) * sizeof *p->groups);
    p->slots = calloc(p->n_slots, sizeof *p->slots);
    p->workers = calloc(threads ? (size_t)threads : 1, sizeof *p->workers);
    if (!p->groups || !p->slots || !p->workers) {
        free(p->groups);
        free(p->slots);
        free(p->workers);
        free(p);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    if (n_groups) memcpy(p->groups, groups, n_groups * sizeof *groups);
    for (size_t i = 0; i < p->n_slots; i++)
        for (int k = 0; k < CSFS_RG_MAX_COLS; k++) pq_column_data_init(&p->slots[i].data[k]);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int t = 0; t < threads; t++) {
        if (pthread_create(&p->workers[t], NULL, worker, p) != 0) break;
        p->n_workers++;
    }
    *out = p;
    return 0;
}

int csfs_rg_prefetch_next(csfs_rg_prefetch *p, size_t *rg, pq_column_data **data, csfs_error *err)
{
    pthread_mutex_lock(&p->mu);
    /* The group handed out last time is done with: free its slot. */
    if (p->consumer > 0) {
        slot *prev = &p->slots[(p->consumer - 1) % p->n_slots];
        if (prev->state == SLOT_READY && prev->item == p->consumer - 1) {
            prev->state = SLOT_FREE;
            pthread_cond_broadcast(&p->cv);
        }
    }
    if (p->consumer >= p->n_groups) {
        pthread_mutex_unlock(&p->mu);
        return csfs_fail(err, CSFS_E_ARGUMENT, "row group prefetch: no more groups");
    }
    size_t item = p->consumer;
    slot *s = &p->slots[item % p->n_slots];
    if (p->n_workers == 0) {
        /* no workers: decode here */
        s->item = item;
        p->next_item = item + 1;
        pthread_mutex_unlock(&p->mu);
        int rc = decode(p, s);
        pthread_mutex_lock(&p->mu);
        s->state = rc ? SLOT_FAILED : SLOT_READY;
    }
    while (!((s->state == SLOT_READY || s->state == SLOT_FAILED) && s->item == item))
        pthread_cond_wait(&p->cv, &p->mu);
    p->consumer++;
    int failed = s->state == SLOT_FAILED;
    pthread_mutex_unlock(&p->mu);
    if (failed) {
        if (err) *err = s->err;
        return s->err.code ? s->err.code : CSFS_E_FORMAT;
    }
    *rg = p->groups[item];
    for (int k = 0; k < CSFS_RG_MAX_COLS; k++) data[k] = k < p->n_cols ? &s->data[k] : NULL;
    return 0;
}

void csfs_rg_prefetch_stop(csfs_rg_prefetch *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t t = 0; t < p->n_workers; t++) pthread_join(p->workers[t], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (size_t i = 0; i < p->n_slots; i++)
        for (int k = 0; k < CSFS_RG_MAX_COLS; k++) pq_column_data_free(&p->slots[i].data[k]);
    free(p->slots);
    free(p->groups);
    free(p->workers);
    free(p);
}
