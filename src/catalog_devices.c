/* SPDX-License-Identifier: MIT */
/*
 * Device chunks: their defaults, the validation of every column before
 * any answer is written, and the non-code predicates of one device.
 */
#include <string.h>

#include "catalog_internal.h"

static const otaprio__layout state_layout = {
    "otaprio_device_state", sizeof(otaprio_device_state),
    sizeof(otaprio_device_state), /* first published layout */
};

int(otaprio_device_state_init)(otaprio_device_state *state, size_t size)
{
    /* All zero: no devices, every column NULL. */
    return otaprio__struct_init(state, size, NULL, &state_layout);
}

/*
 * The validation scans are an OR (or a max) over each column, so the
 * common all-valid case is one branch-free pass; only a failing column is
 * scanned again for the first bad device. Columns go in blocks of a
 * constant length, whose loops the compiler can vectorise.
 */
enum { BLOCK = 512 };

#if defined(__GNUC__)
#define SCAN static inline __attribute__((always_inline))
#else
#define SCAN static inline
#endif

/* Ids wrap by one so that NONE becomes 0 and "NONE or below count" is
 * one comparison. */
SCAN uint32_t worst_version(const uint32_t *column, size_t n)
{
    uint32_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t shifted = column[i] + 1u;
        worst = shifted > worst ? shifted : worst;
    }
    return worst;
}

SCAN uint8_t any_flag(const uint8_t *column, size_t n)
{
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= column[i];
    return any;
}

/* A battery is valid in [0, 1], NaN excluded: on the bits of an IEEE
 * single, at most the bits of 1.0f or exactly -0.0f (non-negative floats
 * order like their bits; NaN and infinity lie above). Integer compares
 * vectorise where float ones with NaN do not. */
SCAN uint32_t any_battery_outside(const float *column, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &column[i], sizeof bits);
        bad |= (uint32_t)(bits > 0x3F800000u) & (uint32_t)(bits != 0x80000000u);
    }
    return bad;
}

static bool valid_battery(float b)
{
    return b >= 0.0f && b <= 1.0f;
}

static size_t bad_version(const uint32_t *column, size_t first, size_t end,
                          uint32_t count)
{
    uint32_t worst = 0;
    size_t i = first;
    for (; end - i >= BLOCK; i += BLOCK) {
        uint32_t w = worst_version(column + i, BLOCK);
        worst = w > worst ? w : worst;
    }
    uint32_t w = worst_version(column + i, end - i);
    worst = w > worst ? w : worst;
    if (worst <= count)
        return end;
    for (i = first; i < end; i++)
        if ((uint32_t)(column[i] + 1u) > count)
            return i;
    return end;
}

static size_t bad_flag(const uint8_t *column, size_t first, size_t end)
{
    uint8_t any = 0;
    size_t i = first;
    for (; end - i >= BLOCK; i += BLOCK)
        any |= any_flag(column + i, BLOCK);
    any |= any_flag(column + i, end - i);
    if (any <= 1)
        return end;
    for (i = first; i < end; i++)
        if (column[i] > 1)
            return i;
    return end;
}

static size_t bad_battery(const float *column, size_t first, size_t end)
{
    uint32_t bad = 0;
    size_t i = first;
    for (; end - i >= BLOCK; i += BLOCK)
        bad |= any_battery_outside(column + i, BLOCK);
    bad |= any_battery_outside(column + i, end - i);
    if (!bad)
        return end;
    for (i = first; i < end; i++)
        if (!valid_battery(column[i]))
            return i;
    return end;
}

static int check_versions(const otaprio_catalog *catalog,
                          const otaprio_device_state *s, size_t first,
                          size_t end, otaprio_diag *diag)
{
    if (s->component_count > catalog->component_count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "component_count", -1,
                             "the state has %zu version columns but the "
                             "catalog only %u components",
                             s->component_count,
                             (unsigned)catalog->component_count);
    for (size_t k = 0; k < s->component_count; k++) {
        const uint32_t *column = s->versions[k];
        if (column == NULL)
            continue;
        uint32_t count = catalog->components[k].version_count;
        size_t bad = bad_version(column, first, end, count);
        if (bad != end)
            return otaprio__fail(
                diag, OTAPRIO_E_RANGE, "versions", (int64_t)bad,
                "device %zu has version id %u of component %zu, which has "
                "%u versions",
                bad, (unsigned)column[bad], k, (unsigned)count);
    }
    return OTAPRIO_OK;
}

int otaprio__catalog_read_state(const otaprio_catalog *catalog,
                                const otaprio_device_state *state,
                                otaprio_device_state *out, size_t device,
                                bool versions_only, otaprio_diag *diag)
{
    if (state == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "state", -1,
                             "state is NULL");
    otaprio_device_state s;
    otaprio_device_state_init(&s);
    OTAPRIO__TRY(otaprio__struct_read(&s, state, &state_layout, diag));
    if (s.versions == NULL && s.component_count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "versions", -1,
                             "versions is NULL with %zu columns",
                             s.component_count);
    size_t first = 0, end = s.count;
    if (device != SIZE_MAX) {
        if (device >= s.count)
            return otaprio__fail(
                diag, OTAPRIO_E_RANGE, "device", (int64_t)device,
                "device %zu is not in the chunk of %zu", device, s.count);
        first = device;
        end = device + 1;
    }
    OTAPRIO__TRY(check_versions(catalog, &s, first, end, diag));
    if (!versions_only) {
        if (s.battery != NULL) {
            size_t bad = bad_battery(s.battery, first, end);
            if (bad != end)
                return otaprio__fail(diag, OTAPRIO_E_RANGE, "battery",
                                     (int64_t)bad,
                                     "device %zu has battery %g; it must lie "
                                     "in [0, 1]",
                                     bad, (double)s.battery[bad]);
        }
        const uint8_t *flags[2] = {s.charging, s.metered};
        const char *names[2] = {"charging", "metered"};
        for (int f = 0; f < 2; f++) {
            if (flags[f] == NULL)
                continue;
            size_t bad = bad_flag(flags[f], first, end);
            if (bad != end)
                return otaprio__fail(diag, OTAPRIO_E_RANGE, names[f],
                                     (int64_t)bad,
                                     "device %zu has %s %u; it must be 0 or 1",
                                     bad, names[f], (unsigned)flags[f][bad]);
        }
    }
    *out = s;
    return OTAPRIO_OK;
}

bool otaprio__codes_contain(const uint32_t *codes, uint32_t count,
                            uint32_t code)
{
    uint32_t low = 0, high = count;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        if (codes[mid] < code)
            low = mid + 1;
        else
            high = mid;
    }
    return low < count && codes[low] == code;
}

/* A rule on a list: fails when the list is not empty and the device's
 * value is unknown or not in it (OTAPRIO_CODE_UNKNOWN is in no allowed
 * list, and ends every denial list). */
static bool allowed(const catalog_package *p, int list, const uint32_t *column,
                    size_t device)
{
    if (p->list_count[list] == 0)
        return true;
    return column != NULL &&
           otaprio__codes_contain(p->lists[list], p->list_count[list],
                                  column[device]);
}

uint32_t otaprio__catalog_predicates(const catalog_package *p,
                                     const otaprio_device_state *s,
                                     size_t device)
{
    uint32_t blocks = 0;
    if (!allowed(p, CATALOG_LIST_CARRIERS, s->carrier, device))
        blocks |= OTAPRIO_BLOCK_CARRIER;
    if (!allowed(p, CATALOG_LIST_REGIONS, s->region, device))
        blocks |= OTAPRIO_BLOCK_REGION;
    if (!allowed(p, CATALOG_LIST_ENROLLMENTS, s->enrollment, device))
        blocks |= OTAPRIO_BLOCK_ENROLLMENT;
    if (p->list_count[CATALOG_LIST_DENIED] != 0 &&
        (s->region == NULL ||
         otaprio__codes_contain(p->lists[CATALOG_LIST_DENIED],
                                p->list_count[CATALOG_LIST_DENIED],
                                s->region[device])))
        blocks |= OTAPRIO_BLOCK_LEGAL;
    float battery = s->battery != NULL ? s->battery[device] : 1.0f;
    uint8_t charging = s->charging != NULL ? s->charging[device] : 0;
    if (p->min_battery > 0.0f && battery < p->min_battery && !charging)
        blocks |= OTAPRIO_BLOCK_BATTERY;
    if (s->free_bytes != NULL && s->free_bytes[device] < p->install_bytes)
        blocks |= OTAPRIO_BLOCK_STORAGE;
    if (s->metered != NULL && s->metered[device] && !p->allow_metered)
        blocks |= OTAPRIO_BLOCK_METERED;
    return blocks;
}
