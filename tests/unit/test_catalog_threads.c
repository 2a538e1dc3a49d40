/* SPDX-License-Identifier: MIT */
/*
 * A built catalog is immutable and shared: several threads ask it for
 * eligibility, update paths, impact, release order and dependency chains
 * at once, and get what one thread alone gets. Run under ThreadSanitizer
 * by the test command, this is the catalog's concurrency test.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog_fixture.h"

enum { THREADS = 4, ROUNDS = 50 };

typedef struct answers {
    uint32_t blocks[FX_PACKAGES][FX_DEVICES];
    uint32_t first[FX_PACKAGES][FX_DEVICES];
    uint32_t path[FX_PACKAGES][FX_DEVICES][8];
    size_t length[FX_PACKAGES][FX_DEVICES];
    int path_status[FX_PACKAGES][FX_DEVICES];
    uint8_t impact[FX_PACKAGES];
    uint8_t device_marks[FX_DEVICES];
    uint32_t order[FX_PACKAGES];
    uint32_t chain[FX_PACKAGES][FX_COMPONENTS];
    int status;
} answers;

typedef struct worker {
    const otaprio_catalog *catalog;
    const otaprio_device_state *devices;
    answers out;
} worker;

static int ask(worker *w)
{
    answers *a = &w->out;
    for (uint32_t p = 0; p < FX_PACKAGES; p++) {
        int status = otaprio_catalog_check_devices(
            w->catalog, p, w->devices, a->blocks[p], a->first[p], NULL, NULL);
        if (status != OTAPRIO_OK)
            return status;
        for (size_t d = 0; d < FX_DEVICES; d++) {
            a->path_status[p][d] = otaprio_catalog_update_path(
                w->catalog, p, w->devices, d, 0, a->path[p][d], 8,
                &a->length[p][d], NULL, NULL);
        }
        size_t count = 0;
        status = otaprio_catalog_chain_components(w->catalog, p, a->chain[p],
                                                  FX_COMPONENTS, &count, NULL);
        if (status != OTAPRIO_OK)
            return status;
    }
    int status = otaprio_catalog_impact(w->catalog, FX_MODEM, "< 3", 3,
                                        a->impact, NULL, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_impact_devices(w->catalog, FX_MODEM, "< 3", 3,
                                                w->devices, a->device_marks,
                                                NULL, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_release_order(w->catalog, a->order, NULL);
    return status;
}

static void *work(void *arg)
{
    worker *w = arg;
    for (int round = 0; round < ROUNDS && w->out.status == OTAPRIO_OK; round++)
        w->out.status = ask(w);
    return NULL;
}

static worker workers[THREADS + 1];

static void threads_sharing_a_catalog_agree_with_one_thread(void **state)
{
    (void)state;
    otaprio_catalog *catalog = NULL;
    assert_int_equal(fixture_catalog(NULL, &catalog), OTAPRIO_OK);
    fx_fleet fleet;
    otaprio_device_state devices;
    fixture_fleet(&fleet, &devices);
    for (int t = 0; t <= THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].catalog = catalog;
        workers[t].devices = &devices;
    }
    /* The reference: one thread, alone. */
    work(&workers[THREADS]);
    assert_int_equal(workers[THREADS].out.status, OTAPRIO_OK);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]),
                         0);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(workers[t].out.status, OTAPRIO_OK);
        assert_memory_equal(&workers[t].out, &workers[THREADS].out,
                            sizeof(answers));
    }
    otaprio_catalog_free(catalog);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_sharing_a_catalog_agree_with_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
