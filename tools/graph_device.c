/* SPDX-License-Identifier: MIT */
/*
 * The device of `otaprio graph --device`: what it has installed, as
 * `component=version` settings, and the predicate inputs of --carrier,
 * --region and the like, made into the library's one-device chunk.
 *
 * The settings are checked in two steps: their form (and each version's
 * syntax) before any file is read, which makes a mistake there a usage
 * error; then their names against the catalog, whose absence is a data
 * error like an unknown --target.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

static int add_setting(const char *who, graph_device_args *args,
                       const graph_setting *setting)
{
    for (size_t i = 0; i < args->setting_count; i++) {
        const graph_setting *other = &args->settings[i];
        if (other->component_length == setting->component_length &&
            memcmp(other->component, setting->component,
                   setting->component_length) == 0) {
            char shown[CLI_QUOTE_SIZE];
            cli_quote(setting->component, setting->component_length, shown);
            return cli_usage_error(who,
                                   "--device sets component '%s' twice; a "
                                   "device has one version of each",
                                   shown);
        }
    }
    if (args->setting_count == args->setting_capacity) {
        size_t capacity =
            args->setting_capacity != 0 ? args->setting_capacity * 2 : 8;
        graph_setting *grown =
            realloc(args->settings, capacity * sizeof *grown);
        if (grown == NULL) {
            cli_error(who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        args->settings = grown;
        args->setting_capacity = capacity;
    }
    args->settings[args->setting_count++] = *setting;
    return CLI_EXIT_OK;
}

/* One "component=version" item, spaces around either part ignored. */
static int parse_item(const char *who, const char *item, size_t length,
                      graph_device_args *args)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(item, length, shown);
    const char *equals = memchr(item, '=', length);
    if (equals == NULL)
        return cli_usage_error(who,
                               "bad --device item '%s': expected "
                               "COMPONENT=VERSION",
                               shown);
    graph_setting setting = {item, (size_t)(equals - item), equals + 1,
                             length - (size_t)(equals - item) - 1};
    cli_trim_blanks(&setting.component, &setting.component_length);
    cli_trim_blanks(&setting.version, &setting.version_length);
    if (setting.component_length == 0 || setting.version_length == 0)
        return cli_usage_error(who,
                               "bad --device item '%s': the component and "
                               "the version must not be empty",
                               shown);
    /* The version's syntax needs no catalog: compared with itself, a
     * malformed version fails and says where. */
    int order;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_version_compare(
        setting.version, setting.version_length, setting.version,
        setting.version_length, &order, &diag);
    if (status != OTAPRIO_OK) {
        char version[CLI_QUOTE_SIZE];
        cli_quote(setting.version, setting.version_length, version);
        if (status == OTAPRIO_E_SYNTAX && diag.status == status &&
            diag.index >= 0)
            return cli_usage_error(who,
                                   "bad --device version '%s' at byte "
                                   "%" PRId64 ": %s",
                                   version, diag.index, diag.message);
        return cli_usage_error(who, "bad --device version '%s': %s", version,
                               otaprio_strerror(status));
    }
    return add_setting(who, args, &setting);
}

int graph_device_parse(const char *who, const char *text,
                       graph_device_args *args)
{
    /* An empty argument is a device with nothing installed. */
    const char *item = text;
    size_t length = strlen(text);
    const char *end = text + length;
    while (item < end) {
        const char *comma = memchr(item, ',', (size_t)(end - item));
        const char *stop = comma != NULL ? comma : end;
        const char *bytes = item;
        size_t size = (size_t)(stop - item);
        cli_trim_blanks(&bytes, &size);
        if (size == 0)
            return cli_usage_error(who,
                                   "bad --device '%s': an empty item "
                                   "between commas",
                                   text);
        int status = parse_item(who, bytes, size, args);
        if (status != CLI_EXIT_OK)
            return status;
        item = comma != NULL ? comma + 1 : end;
        if (comma != NULL && item == end)
            return cli_usage_error(who,
                                   "bad --device '%s': it ends with a "
                                   "comma",
                                   text);
    }
    return CLI_EXIT_OK;
}

void graph_device_args_release(graph_device_args *args)
{
    free(args->settings);
    args->settings = NULL;
    args->setting_count = args->setting_capacity = 0;
}

/* "1.4, 2.0": the versions the catalog knows of a component. */
static void version_list(const graph_catalog *catalog, uint32_t component,
                         char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t id = 0;; id++) {
        const char *text;
        size_t length;
        if (otaprio_catalog_name(catalog->catalog, OTAPRIO_NAME_VERSION,
                                 component, id, &text, &length,
                                 NULL) != OTAPRIO_OK)
            break;
        char shown[CLI_QUOTE_SIZE];
        cli_quote(text, length, shown);
        int written = snprintf(out + used, size - used, "%s%s",
                               id != 0 ? ", " : "", shown);
        if (written < 0 || (size_t)written >= size - used) {
            if (size >= 4)
                memcpy(out + size - 4, "...", 4);
            return;
        }
        used += (size_t)written;
    }
    if (used == 0)
        snprintf(out, size, "(none)");
}

static int resolve_setting(const char *who, const graph_catalog *catalog,
                           const graph_setting *setting, uint32_t *installed)
{
    char shown[CLI_QUOTE_SIZE];
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    uint32_t component;
    int status = otaprio_catalog_component_id(
        catalog->catalog, setting->component, setting->component_length,
        &component, &diag);
    if (status == OTAPRIO_E_NOT_FOUND) {
        char known[1024];
        graph_component_list(catalog, known, sizeof known);
        cli_quote(setting->component, setting->component_length, shown);
        cli_error(who, "--device: %s has no component '%s'; components: %s",
                  catalog->file, shown, known[0] != '\0' ? known : "(none)");
        return CLI_EXIT_FAILURE;
    }
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_catalog_component_id", status,
                                 &diag);
    uint32_t version;
    status = otaprio_catalog_version_id(
        catalog->catalog, component, setting->version, setting->version_length,
        &version, &diag);
    if (status == OTAPRIO_E_NOT_FOUND) {
        char known[1024];
        version_list(catalog, component, known, sizeof known);
        cli_quote(setting->version, setting->version_length, shown);
        cli_error(who,
                  "--device: %s knows no version '%s' of %s (list the "
                  "versions devices report under \"versions\"); known: %s",
                  catalog->file, shown, catalog->component_names[component],
                  known);
        return CLI_EXIT_FAILURE;
    }
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_catalog_version_id", status,
                                 &diag);
    installed[component] = version;
    return 0;
}

/* The code of a predicate value given on the command line. A name that
 * no package uses still makes a device, one that every rule on it
 * refuses; a warning says so, as it is most likely a typo. */
static uint32_t predicate_code(const char *who, const graph_codes *codes,
                               const char *option, const char *name)
{
    uint32_t code = graph_codes_find(codes, name, strlen(name));
    if (code == GRAPH_CODE_UNNAMED) {
        char shown[CLI_QUOTE_SIZE];
        cli_quote(name, strlen(name), shown);
        cli_warning(who,
                    "%s '%s' is named by no package of the catalog: every "
                    "%s rule refuses it",
                    option, shown, codes->view.what);
    }
    return code;
}

int graph_device_resolve(const char *who, const graph_catalog *catalog,
                         const graph_device_args *args, graph_device *device)
{
    memset(device, 0, sizeof *device);
    size_t components = catalog->components.count;
    size_t slots = components != 0 ? components : 1;
    device->installed = malloc(slots * sizeof *device->installed);
    device->columns = malloc(slots * sizeof *device->columns);
    if (device->installed == NULL || device->columns == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (size_t c = 0; c < components; c++) {
        device->installed[c] = OTAPRIO_VERSION_NONE;
        device->columns[c] = &device->installed[c];
    }
    for (size_t i = 0; i < args->setting_count; i++)
        if (resolve_setting(who, catalog, &args->settings[i],
                            device->installed) != 0)
            return CLI_EXIT_FAILURE;

    otaprio_device_state *state = &device->state;
    otaprio_device_state_init(state);
    state->count = 1;
    state->versions = device->columns;
    state->component_count = components;
    /* Left NULL, a predicate column is unknown to the library: a rule on
     * it refuses the device, and battery, storage and link take their
     * documented defaults. */
    if (args->carrier != NULL) {
        device->carrier =
            predicate_code(who, &catalog->carriers, "--carrier", args->carrier);
        state->carrier = &device->carrier;
    }
    if (args->region != NULL) {
        device->region =
            predicate_code(who, &catalog->regions, "--region", args->region);
        state->region = &device->region;
    }
    if (args->enrollment != NULL) {
        device->enrollment = predicate_code(who, &catalog->enrollments,
                                            "--enrollment", args->enrollment);
        state->enrollment = &device->enrollment;
    }
    if (args->has_battery) {
        device->battery = args->battery;
        state->battery = &device->battery;
    }
    device->charging = args->charging ? 1 : 0;
    state->charging = &device->charging;
    if (args->has_free_bytes) {
        device->free_bytes = args->free_bytes;
        state->free_bytes = &device->free_bytes;
    }
    device->metered = args->metered ? 1 : 0;
    state->metered = &device->metered;
    return 0;
}

void graph_device_release(graph_device *device)
{
    free(device->installed);
    free(device->columns);
    memset(device, 0, sizeof *device);
}
