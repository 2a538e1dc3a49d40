/* SPDX-License-Identifier: MIT */
/* Fills an otaprio_package (prepared by otaprio_package_init) from a test
 * table row `f` with the fields name, download_bytes, install_bytes,
 * min_battery, allow_metered, carriers, regions, denied, enrollments and
 * their counts: the hand-written fixture and the generated vectors both
 * describe packages that way. A macro, as their row types differ. */
#ifndef OTAPRIO_TEST_PACKAGE_FILL_H
#define OTAPRIO_TEST_PACKAGE_FILL_H

#include <string.h>

#define FILL_PACKAGE(package, f)                             \
    do {                                                     \
        (package)->name = (f)->name;                         \
        (package)->name_length = strlen((f)->name);          \
        (package)->download_bytes = (f)->download_bytes;     \
        (package)->install_bytes = (f)->install_bytes;       \
        (package)->min_battery = (f)->min_battery;           \
        (package)->allow_metered = (f)->allow_metered;       \
        (package)->carriers = (f)->carriers;                 \
        (package)->carrier_count = (f)->carrier_count;       \
        (package)->regions = (f)->regions;                   \
        (package)->region_count = (f)->region_count;         \
        (package)->denied_regions = (f)->denied;             \
        (package)->denied_region_count = (f)->denied_count;  \
        (package)->enrollments = (f)->enrollments;           \
        (package)->enrollment_count = (f)->enrollment_count; \
    } while (0)

#endif
