/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/graph.h
 * @brief Dependency engine: versions and constraints, directed graphs and
 *        their traversals, the package catalog (release order, impact,
 *        eligibility, update paths) and shared-fate clusters.
 *
 * Four layers, each usable alone:
 * - **Versions.** A documented total order over version strings and
 *   interval constraints over it (otaprio_version_compare(),
 *   otaprio_constraint_matches()).
 * - **Graphs.** An immutable directed graph over node ids `0 .. n-1`, built
 *   once through a builder into compressed sparse rows
 *   (otaprio_graph_builder_create()), or wrapped around a host's own graph
 *   through neighbour callbacks (otaprio_graph_wrap()). Both kinds answer
 *   the same traversals: topological order with the cycle named on
 *   failure, reachability, strongly connected components.
 * - **Catalog.** Components, the versions devices report, and packages
 *   that *require*, *provide* or *conflict with* component versions, with
 *   non-code predicates (carrier, region, legal, battery, storage, metered
 *   link, enrollment). Built once (otaprio_catalog_builder_create()); it
 *   answers release order, impact of a flawed component, eligibility of
 *   device chunks and the shortest prerequisite path of one device.
 * - **Clusters.** Devices grouped by any host-chosen attribute columns,
 *   with cluster sizes and canary coverage (otaprio_clusterer_create()).
 *
 * Built graphs and catalogs are immutable: any number of threads may query
 * one at once. Builders and clusterers are single-threaded objects.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_GRAPH_H
#define OTAPRIO_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== versions and constraints ========================================= */

/**
 * @brief Longest version string or constraint accepted, in bytes.
 *
 * Longer text fails with #OTAPRIO_E_RANGE.
 * @since 0.1.0
 */
#define OTAPRIO_VERSION_TEXT_MAX 256

/**
 * @brief Compares two version strings in the library's total order.
 *
 * Grammar (no spaces; text need not be NUL-terminated):
 *
 *     version    = ["v" / "V"] release ["-" prerelease] ["+" build]
 *     release    = segment *("." segment)
 *     segment    = 1*(ALPHA / DIGIT)
 *     prerelease = ident *("." ident)
 *     build      = ident *("." ident)
 *     ident      = 1*(ALPHA / DIGIT / "-")
 *
 * ALPHA and DIGIT are ASCII. A leading `v` or `V` is the prefix only when a
 * digit follows it; otherwise it starts a segment (`vendor` is one segment).
 *
 * Order, deciding at the first difference:
 * 1. Release segments, left to right; a missing trailing segment counts as
 *    numeric 0. A numeric segment (digits only) compares by value, so
 *    leading zeros do not matter and any length is exact. A segment with a
 *    letter ranks above every numeric one; two such segments compare as
 *    ASCII bytes, a proper prefix first.
 * 2. With equal releases, a version with a pre-release ranks below the one
 *    without. Two pre-releases compare identifier by identifier (numeric by
 *    value, numeric below alphanumeric, alphanumeric as ASCII bytes); when
 *    one list is a prefix of the other, the shorter ranks lower (as in
 *    Semantic Versioning 2.0: `1.0-alpha < 1.0-alpha.1 < 1.0-beta < 1.0`).
 * 3. With equal releases and pre-releases, build metadata breaks the tie
 *    by the pre-release rules, a version without ranking below one with it,
 *    so that distinct firmware builds are distinct versions.
 *
 * Strings that differ only by leading zeros, trailing `.0` segments or the
 * `v` prefix denote the same version: `1.2`, `1.2.0`, `v1.02` are equal.
 *
 * Thread-safe.
 * @param a first version; may be NULL only when @p a_length is 0 (which is
 *          a syntax error).
 * @param a_length bytes in @p a.
 * @param b second version, likewise.
 * @param b_length bytes in @p b.
 * @param[out] order receives -1, 0 or 1 as @p a ranks below, equal to or
 *                   above @p b.
 * @param[out] diag optional; on a syntax error, otaprio_diag::field is "a"
 *                  or "b" and otaprio_diag::index the byte offset.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_SYNTAX for malformed text; #OTAPRIO_E_RANGE for text
 *         longer than #OTAPRIO_VERSION_TEXT_MAX.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_version_compare(const char *a, size_t a_length,
                                        const char *b, size_t b_length,
                                        int *order, otaprio_diag *diag);

/**
 * @brief Tells whether a version satisfies a constraint.
 *
 * A constraint is `*` (any version) or comma-separated clauses, each an
 * optional operator and a version, with spaces allowed around operators and
 * commas:
 *
 *     constraint = "*" / clause *("," clause)
 *     clause     = [">=" / ">" / "<=" / "<" / "==" / "="] version
 *
 * A bare version or `=` means exactly that version. Clauses intersect, so
 * every constraint is one interval of the version order, for example
 * `>= 2.3.1, < 3`. A constraint whose lower end lies above its upper end
 * (`> 2, < 1`), or whose ends are one version with either end open
 * (`> 1, <= 1`), is an error rather than one that silently matches nothing.
 *
 * Thread-safe.
 * @param constraint the constraint text.
 * @param constraint_length bytes in @p constraint.
 * @param version the version text.
 * @param version_length bytes in @p version.
 * @param[out] matches receives 1 when the version satisfies the constraint,
 *                     else 0.
 * @param[out] diag optional; field "constraint" or "version", index the
 *                  byte offset of a syntax error.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_SYNTAX for malformed text; #OTAPRIO_E_RANGE for text
 *         that is too long or a constraint with crossed ends.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_constraint_matches(const char *constraint,
                                           size_t constraint_length,
                                           const char *version,
                                           size_t version_length, int *matches,
                                           otaprio_diag *diag);

/* ==== graphs ========================================================== */

/** @brief Largest node count of a graph. Id `UINT32_MAX` is never a node.
 *  @since 0.1.0 */
#define OTAPRIO_GRAPH_MAX_NODES UINT32_C(0xFFFFFFFE)
/** @brief Largest edge count of a built graph. @since 0.1.0 */
#define OTAPRIO_GRAPH_MAX_EDGES UINT32_C(0xFFFFFFFF)

/**
 * @brief Which way a traversal follows edges.
 * @since 0.1.0
 */
typedef enum otaprio_direction {
    /** From a node to its successors (along `from -> to`). @since 0.1.0 */
    OTAPRIO_DIRECTION_FORWARD = 0,
    /** From a node to its predecessors (against the edges). @since 0.1.0 */
    OTAPRIO_DIRECTION_BACKWARD = 1
} otaprio_direction;

/**
 * @brief An immutable directed graph: built compressed sparse rows, or a
 *        host's graph seen through callbacks.
 *
 * A built graph is safe to query from any number of threads at once; a
 * wrapped graph is as thread-safe as the host's callbacks.
 * @since 0.1.0
 */
typedef struct otaprio_graph otaprio_graph;

/**
 * @brief Collects edges for one graph. Single-threaded.
 * @since 0.1.0
 */
typedef struct otaprio_graph_builder otaprio_graph_builder;

/**
 * @brief Starts a graph of @p node_count nodes with ids `0 .. node_count-1`.
 *
 * Thread-safe.
 * @param node_count number of nodes, at most #OTAPRIO_GRAPH_MAX_NODES.
 * @param allocator used by the builder and by the graph it builds, or NULL
 *                  for the C library's.
 * @param[out] builder receives the builder; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL @p builder;
 *         #OTAPRIO_E_STRUCT_SIZE for a bad allocator struct;
 *         #OTAPRIO_E_OVERFLOW for too many nodes; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_builder_create(uint32_t node_count,
                                             const otaprio_allocator *allocator,
                                             otaprio_graph_builder **builder,
                                             otaprio_diag *diag);

/**
 * @brief Adds edges `from[i] -> to[i]`.
 *
 * The whole batch is validated before any edge is kept: on error the
 * builder is unchanged and otaprio_diag::index is the offending position in
 * the batch. Duplicates are found when the graph is built.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param from @p count source ids.
 * @param to @p count target ids.
 * @param count number of edges; may be 0.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arrays with a non-zero
 *         @p count or for a self-loop (field "to"); #OTAPRIO_E_RANGE for an
 *         id that is not a node (field "from" or "to");
 *         #OTAPRIO_E_OVERFLOW when the builder would hold more than
 *         #OTAPRIO_GRAPH_MAX_EDGES edges (checked before the arrays are
 *         read); #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_builder_add_edges(otaprio_graph_builder *builder,
                                                const uint32_t *from,
                                                const uint32_t *to,
                                                size_t count,
                                                otaprio_diag *diag);

/**
 * @brief Builds the graph from the edges added so far.
 *
 * Rows are sorted, so the graph and every answer about it do not depend on
 * the order edges were added in. The builder stays valid and unchanged:
 * more edges may be added and built again. Memory of the graph: two rows
 * arrays of `4 * (node_count + 1)` bytes and two id arrays of
 * `4 * edge_count` bytes.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param[out] graph receives the graph; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_DUPLICATE when an edge was added twice
 *         (otaprio_diag::index is the later one's position among all edges
 *         added, the message names both ends); #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_graph_builder_build(const otaprio_graph_builder *builder,
                            otaprio_graph **graph, otaprio_diag *diag);

/**
 * @brief Frees a builder; NULL is a no-op. Graphs it built live on.
 * @param builder the builder.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_graph_builder_free(otaprio_graph_builder *builder);

/**
 * @brief Writes the neighbours of @p node into @p buffer.
 *
 * Set `*count` to the number of neighbours. When it exceeds @p capacity,
 * write nothing: the library grows its buffer and calls again.
 * @param user the otaprio_graph_callbacks::user pointer.
 * @param node a node id below otaprio_graph_callbacks::node_count.
 * @param[out] buffer room for @p capacity ids.
 * @param capacity number of ids @p buffer holds.
 * @param[out] count receives the number of neighbours.
 * @return 0 to go on; any other value stops the traversal, which returns it
 *         unchanged.
 * @since 0.1.0
 */
typedef int (*otaprio_neighbours_fn)(void *user, uint32_t node,
                                     uint32_t *buffer, size_t capacity,
                                     size_t *count);

/**
 * @brief A host's graph, seen through neighbour callbacks.
 *
 * Prepare with otaprio_graph_callbacks_init(). Neighbour ids must be below
 * otaprio_graph_callbacks::node_count (an id that is not is reported as
 * #OTAPRIO_E_RANGE); repeated neighbours and self-loops are allowed and
 * treated as the graph they describe.
 * @since 0.1.0
 */
typedef struct otaprio_graph_callbacks {
    /** Caller's `sizeof(otaprio_graph_callbacks)`. @since 0.1.0 */
    size_t size;
    /** Number of nodes, at most #OTAPRIO_GRAPH_MAX_NODES. @since 0.1.0 */
    uint32_t node_count;
    /** Successors of a node; required. @since 0.1.0 */
    otaprio_neighbours_fn successors;
    /** Predecessors of a node, or NULL: then backward traversals fail with
     *  #OTAPRIO_E_INVALID. @since 0.1.0 */
    otaprio_neighbours_fn predecessors;
    /** Passed unchanged to the callbacks. @since 0.1.0 */
    void *user;
} otaprio_graph_callbacks;

/**
 * @brief Prepares callbacks: no nodes, no functions.
 *
 * Call as `otaprio_graph_callbacks_init(&callbacks)`. Thread-safe.
 * @param callbacks the struct to prepare.
 * @param size the caller's `sizeof(otaprio_graph_callbacks)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_callbacks_init(otaprio_graph_callbacks *callbacks,
                                             size_t size);

/**
 * @brief Makes a graph handle that walks a host's graph through callbacks.
 *
 * Nothing is copied: every traversal asks the callbacks for neighbours as
 * it goes, so the host's graph must outlive the handle.
 *
 * Thread-safe.
 * @param callbacks the callbacks; copied.
 * @param allocator for the handle and traversal scratch memory, or NULL.
 * @param[out] graph receives the handle; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers or a NULL
 *         successors callback; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_OVERFLOW for too many nodes; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_wrap(const otaprio_graph_callbacks *callbacks,
                                   const otaprio_allocator *allocator,
                                   otaprio_graph **graph, otaprio_diag *diag);

/**
 * @brief Frees a graph; NULL is a no-op. Not thread-safe with calls still
 *        using it.
 * @param graph the graph.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_graph_free(otaprio_graph *graph);

/**
 * @brief Number of nodes. Thread-safe; cannot fail.
 * @param graph the graph, or NULL (then 0).
 * @return the node count.
 * @since 0.1.0
 */
OTAPRIO_API uint32_t otaprio_graph_node_count(const otaprio_graph *graph);

/**
 * @brief Number of edges of a built graph. Thread-safe; cannot fail.
 * @param graph the graph, or NULL.
 * @return the edge count; 0 for NULL and for a wrapped graph, whose edges
 *         are not counted.
 * @since 0.1.0
 */
OTAPRIO_API uint64_t otaprio_graph_edge_count(const otaprio_graph *graph);

/**
 * @brief Copies a node's successors or predecessors, in ascending id order
 *        for a built graph, in the callback's order for a wrapped one.
 *
 * When the node has more neighbours than @p capacity, `*count` receives the
 * number, nothing is written to @p buffer, and #OTAPRIO_E_RANGE is returned,
 * so a host can ask for the count first with @p capacity 0.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param node the node.
 * @param direction ::otaprio_direction.
 * @param[out] buffer room for @p capacity ids; may be NULL when @p capacity
 *                    is 0.
 * @param capacity number of ids @p buffer holds.
 * @param[out] count receives the number of neighbours.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers or a backward
 *         query on a wrapped graph without predecessors; #OTAPRIO_E_RANGE
 *         for a node id out of range, an unknown direction or a too small
 *         @p capacity; a callback's own status.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_neighbours(const otaprio_graph *graph,
                                         uint32_t node, int32_t direction,
                                         uint32_t *buffer, size_t capacity,
                                         size_t *count, otaprio_diag *diag);

/**
 * @brief A topological order: every edge `u -> v` has `u` before `v`.
 *
 * Kahn's algorithm with a first-in first-out queue seeded with the sources
 * in ascending id order, so the order is the same on every run. Time
 * O(nodes + edges); scratch memory `8 * node_count` bytes.
 *
 * On a cycle, @p order is untouched, #OTAPRIO_E_CYCLE is returned, and the
 * diagnostics message lists one cycle (`cycle: 4 -> 9 -> 4`, shortened with
 * `...` when it does not fit; otaprio_diag::index is its first node).
 * otaprio_graph_find_cycle() returns it whole.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param[out] order receives otaprio_graph_node_count() ids.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers, or a wrapped
 *         graph whose callbacks answered differently for the same node;
 *         #OTAPRIO_E_RANGE for a callback's neighbour id that is not a node;
 *         #OTAPRIO_E_CYCLE; #OTAPRIO_E_NOMEM; a callback's own status.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_order(const otaprio_graph *graph, uint32_t *order,
                                    otaprio_diag *diag);

/**
 * @brief Finds one directed cycle, the same one otaprio_graph_order()
 *        reports.
 *
 * The cycle is written as its nodes `c[0] -> c[1] -> ... -> c[k-1] -> c[0]`
 * (a self-loop of a wrapped graph is one node). `*length` receives `k`, or 0
 * for an acyclic graph. When `k` exceeds @p capacity nothing is written to
 * @p cycle and #OTAPRIO_E_RANGE is returned with `*length` set.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param[out] cycle room for @p capacity ids; may be NULL when @p capacity
 *                   is 0.
 * @param capacity number of ids @p cycle holds.
 * @param[out] length receives the cycle's length.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK (also for an acyclic graph); #OTAPRIO_E_INVALID;
 *         #OTAPRIO_E_RANGE for a too small @p capacity or a callback's
 *         neighbour id that is not a node; #OTAPRIO_E_NOMEM; a callback's
 *         own status.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_find_cycle(const otaprio_graph *graph,
                                         uint32_t *cycle, size_t capacity,
                                         size_t *length, otaprio_diag *diag);

/**
 * @brief Marks every node reachable from the sources, the sources
 *        included.
 *
 * Breadth-first. Time O(reached nodes + their edges) plus
 * O(node_count / 8) for the visited set; scratch memory about
 * `4 * node_count + node_count / 8` bytes. On error @p reached is
 * untouched.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param direction ::otaprio_direction: forward finds what the sources
 *                  lead to (what inherits a flaw), backward what leads to
 *                  them (what they depend on).
 * @param sources @p source_count node ids; repeats are allowed.
 * @param source_count number of sources; may be 0.
 * @param[out] reached receives otaprio_graph_node_count() bytes, 1 for a
 *                     reached node and 0 for the others.
 * @param[out] count receives the number of reached nodes, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers or a backward
 *         walk of a wrapped graph without predecessors; #OTAPRIO_E_RANGE
 *         for a source or a callback's neighbour id that is not a node
 *         (field "sources", or the callback's name "successors" or
 *         "predecessors") or an unknown direction;
 *         #OTAPRIO_E_NOMEM; a callback's own status.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_reach(const otaprio_graph *graph,
                                    int32_t direction, const uint32_t *sources,
                                    size_t source_count, uint8_t *reached,
                                    uint64_t *count, otaprio_diag *diag);

/**
 * @brief Lists every node reachable from the sources, the sources
 *        included, in breadth-first order.
 *
 * The same search as otaprio_graph_reach(), answered as ids rather than
 * one byte per node: a reach of a few nodes in a large graph then writes
 * only those. When more nodes are reached than @p capacity, `*count`
 * receives the number, nothing is written to @p reached and
 * #OTAPRIO_E_RANGE is returned; a capacity of otaprio_graph_node_count()
 * always suffices. On any other error the outputs are untouched.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param direction ::otaprio_direction.
 * @param sources @p source_count node ids; repeats are allowed.
 * @param source_count number of sources; may be 0.
 * @param[out] reached room for @p capacity ids; may be NULL when
 *                     @p capacity is 0.
 * @param capacity number of ids @p reached holds.
 * @param[out] count receives the number of reached nodes.
 * @param[out] diag optional.
 * @return as otaprio_graph_reach(), and #OTAPRIO_E_RANGE for a too small
 *         @p capacity.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_reach_list(const otaprio_graph *graph,
                                         int32_t direction,
                                         const uint32_t *sources,
                                         size_t source_count, uint32_t *reached,
                                         size_t capacity, size_t *count,
                                         otaprio_diag *diag);

/**
 * @brief Strongly connected components.
 *
 * Components are numbered in a topological order of the condensation: for
 * every edge `u -> v` between two components, `component[u] <
 * component[v]`. A component of more than one node is a set of mutually
 * dependent nodes. Nodes on no cycle that only acyclic paths lead to come
 * first, in the order otaprio_graph_order() would place them. Time
 * O(nodes + edges); scratch memory about `20 * node_count` bytes. On error
 * the outputs are untouched.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param[out] component receives otaprio_graph_node_count() component
 *                       numbers.
 * @param[out] component_count receives the number of components, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers, or a wrapped
 *         graph whose callbacks answered differently for the same node;
 *         #OTAPRIO_E_RANGE for a callback's neighbour id that is not a
 *         node; #OTAPRIO_E_NOMEM; a callback's own status.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_scc(const otaprio_graph *graph,
                                  uint32_t *component,
                                  uint32_t *component_count,
                                  otaprio_diag *diag);

/* ==== catalog: components, packages, devices =========================== */

/** @brief A device's version id meaning "component not installed".
 *  @since 0.1.0 */
#define OTAPRIO_VERSION_NONE UINT32_C(0xFFFFFFFF)

/**
 * @brief A device's carrier, region or enrollment code meaning "the host
 *        does not know this device's value".
 *
 * A package's rule on that attribute then fails for that device exactly
 * as for a NULL column: the device is in no allowed list, and an unknown
 * region is blocked by any list of denied regions (#OTAPRIO_BLOCK_LEGAL).
 * It is never a valid code in a package's lists.
 * @since 0.1.0
 */
#define OTAPRIO_CODE_UNKNOWN UINT32_C(0xFFFFFFFF)

/**
 * @brief A package (an update) and the non-code predicates a device must
 *        meet to install it.
 *
 * Prepare with otaprio_package_init(). The arrays are copied by
 * otaprio_catalog_add_package(). Carrier, region and enrollment values are
 * the host's own codes, any but #OTAPRIO_CODE_UNKNOWN; an empty list
 * means "any".
 * @since 0.1.0
 */
typedef struct otaprio_package {
    /** Caller's `sizeof(otaprio_package)`. @since 0.1.0 */
    size_t size;
    /** Unique name, 1 to #OTAPRIO_VERSION_TEXT_MAX bytes; required.
     *  @since 0.1.0 */
    const char *name;
    /** Bytes in otaprio_package::name. @since 0.1.0 */
    size_t name_length;
    /** Download size in bytes; breaks ties between update paths of equal
     *  length. Default 0. @since 0.1.0 */
    uint64_t download_bytes;
    /** Free storage a device needs to install it; default 0.
     *  @since 0.1.0 */
    uint64_t install_bytes;
    /** The host's product family code, reported back by impact queries;
     *  default 0. @since 0.1.0 */
    uint32_t family;
    /** Lowest battery charge, in [0, 1], to install unless charging;
     *  default 0 (no rule). @since 0.1.0 */
    float min_battery;
    /** 1 when it may be downloaded over a metered link; default 1.
     *  @since 0.1.0 */
    uint8_t allow_metered;
    /** Carriers allowed, or NULL. @since 0.1.0 */
    const uint32_t *carriers;
    /** Entries in otaprio_package::carriers. @since 0.1.0 */
    size_t carrier_count;
    /** Regions allowed, or NULL. @since 0.1.0 */
    const uint32_t *regions;
    /** Entries in otaprio_package::regions. @since 0.1.0 */
    size_t region_count;
    /** Regions where legal or contractual rules forbid it, or NULL.
     *  @since 0.1.0 */
    const uint32_t *denied_regions;
    /** Entries in otaprio_package::denied_regions. @since 0.1.0 */
    size_t denied_region_count;
    /** Device-management enrollment states allowed, or NULL.
     *  @since 0.1.0 */
    const uint32_t *enrollments;
    /** Entries in otaprio_package::enrollments. @since 0.1.0 */
    size_t enrollment_count;
} otaprio_package;

/**
 * @brief Prepares a package description with the defaults.
 *
 * Call as `otaprio_package_init(&package)`. Thread-safe.
 * @param package the struct to prepare.
 * @param size the caller's `sizeof(otaprio_package)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_package_init(otaprio_package *package, size_t size);

/**
 * @brief How a package relates to a component.
 * @since 0.1.0
 */
typedef enum otaprio_relation {
    /** The device must have the component at a version the constraint
     *  admits. @since 0.1.0 */
    OTAPRIO_RELATION_REQUIRES = 0,
    /** Installing the package sets the component to this version; at most
     *  one per component and package. @since 0.1.0 */
    OTAPRIO_RELATION_PROVIDES = 1,
    /** The device must not have the component at a version the constraint
     *  admits. @since 0.1.0 */
    OTAPRIO_RELATION_CONFLICTS = 2
} otaprio_relation;

/**
 * @brief Collects components, versions and packages. Single-threaded.
 * @since 0.1.0
 */
typedef struct otaprio_catalog_builder otaprio_catalog_builder;

/**
 * @brief An immutable catalog of components and packages. Any number of
 *        threads may query one at once.
 * @since 0.1.0
 */
typedef struct otaprio_catalog otaprio_catalog;

/**
 * @brief Starts an empty catalog.
 *
 * Thread-safe.
 * @param allocator used by the builder and the catalog, or NULL.
 * @param[out] builder receives the builder; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_catalog_builder_create(const otaprio_allocator *allocator,
                               otaprio_catalog_builder **builder,
                               otaprio_diag *diag);

/**
 * @brief Frees a builder; NULL is a no-op. Catalogs it built live on.
 * @param builder the builder.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_catalog_builder_free(otaprio_catalog_builder *builder);

/**
 * @brief Interns a component name ("bootloader", "libssl").
 *
 * Ids are dense, from 0, in order of first appearance; adding a name again
 * returns its id.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param name the name, 1 to #OTAPRIO_VERSION_TEXT_MAX bytes.
 * @param length bytes in @p name.
 * @param[out] component receives the id, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE for an empty
 *         or too long name; #OTAPRIO_E_OVERFLOW; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_add_component(otaprio_catalog_builder *builder,
                                              const char *name, size_t length,
                                              uint32_t *component,
                                              otaprio_diag *diag);

/**
 * @brief Interns a version of a component that devices may report.
 *
 * Device chunks name versions by these ids. Ids are dense per component,
 * from 0, in order of first appearance; equal versions (`1.2` and `1.2.0`)
 * share an id. Versions that appear in relations are interned too, and
 * otaprio_catalog_version_id() finds any of them after the build.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param component a component id.
 * @param version the version text.
 * @param length bytes in @p version.
 * @param[out] version_id receives the id, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE for an unknown
 *         component or too long text; #OTAPRIO_E_SYNTAX;
 *         #OTAPRIO_E_OVERFLOW; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_add_version(otaprio_catalog_builder *builder,
                                            uint32_t component,
                                            const char *version, size_t length,
                                            uint32_t *version_id,
                                            otaprio_diag *diag);

/**
 * @brief Adds a package.
 *
 * Package ids are dense, from 0, in order of addition.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param package the description; copied.
 * @param[out] package_id receives the id, or NULL.
 * @param[out] diag optional; names the offending field.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for an empty or too long name, a battery level
 *         outside [0, 1] (NaN included), a flag other than 0 or 1, or
 *         #OTAPRIO_CODE_UNKNOWN in a list (otaprio_diag::field names the
 *         list, otaprio_diag::index the position);
 *         #OTAPRIO_E_DUPLICATE for a name already used;
 *         #OTAPRIO_E_OVERFLOW; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_add_package(otaprio_catalog_builder *builder,
                                            const otaprio_package *package,
                                            uint32_t *package_id,
                                            otaprio_diag *diag);

/**
 * @brief Relates a package to a component.
 *
 * @p text is a constraint (see otaprio_constraint_matches()) for
 * #OTAPRIO_RELATION_REQUIRES and #OTAPRIO_RELATION_CONFLICTS, and a version
 * for #OTAPRIO_RELATION_PROVIDES. Relations of a package are numbered from
 * 0 in order of addition; eligibility reports the first one that fails.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param package a package id.
 * @param relation ::otaprio_relation.
 * @param component a component id.
 * @param text the constraint or version.
 * @param length bytes in @p text.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE for an unknown
 *         package, component or relation, too long text or a constraint
 *         with crossed ends; #OTAPRIO_E_SYNTAX; #OTAPRIO_E_DUPLICATE for
 *         a second version provided for one component;
 *         #OTAPRIO_E_OVERFLOW; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_add_relation(otaprio_catalog_builder *builder,
                                             uint32_t package, int32_t relation,
                                             uint32_t component,
                                             const char *text, size_t length,
                                             otaprio_diag *diag);

/**
 * @brief Builds the catalog and its package graph.
 *
 * The package graph has an edge `p -> q` when `q` requires a component
 * version that `p` provides and no package, `q` itself included, provides
 * a lower version that the requirement admits: `p` is the earliest
 * release that unlocks `q`. When `q` itself provides the lowest such
 * version, that requirement adds no edge, even when other packages provide
 * that version too: an upgrade step that requires `fw >= 1` and provides
 * `fw 2` is not unlocked by a later `fw 3`, nor by another `fw 2`.
 * A cycle is not an error here (release order reports it), so that
 * mutually dependent packages can still be diagnosed.
 *
 * The builder stays valid and unchanged.
 *
 * Not thread-safe on one builder.
 * @param builder the builder.
 * @param[out] catalog receives the catalog; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_build(const otaprio_catalog_builder *builder,
                                      otaprio_catalog **catalog,
                                      otaprio_diag *diag);

/**
 * @brief Frees a catalog; NULL is a no-op. Not thread-safe with calls still
 *        using it.
 * @param catalog the catalog.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_catalog_free(otaprio_catalog *catalog);

/**
 * @brief Counts of a catalog's contents.
 * @since 0.1.0
 */
typedef struct otaprio_catalog_info {
    /** Caller's `sizeof(otaprio_catalog_info)`. @since 0.1.0 */
    size_t size;
    /** Number of components. @since 0.1.0 */
    uint32_t component_count;
    /** Number of packages. @since 0.1.0 */
    uint32_t package_count;
    /** Number of distinct versions over all components. @since 0.1.0 */
    uint64_t version_count;
    /** Number of relations over all packages. @since 0.1.0 */
    uint64_t relation_count;
} otaprio_catalog_info;

/**
 * @brief Reports a catalog's counts.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param[out] info receives the counts; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_get_info(const otaprio_catalog *catalog,
                                         otaprio_catalog_info *info,
                                         otaprio_diag *diag);

/**
 * @brief The catalog's package graph (see otaprio_catalog_build()), owned
 *        by the catalog: node ids are package ids.
 *
 * Thread-safe; cannot fail.
 * @param catalog the catalog, or NULL (then NULL).
 * @return the graph, valid as long as the catalog.
 * @since 0.1.0
 */
OTAPRIO_API const otaprio_graph *
otaprio_catalog_graph(const otaprio_catalog *catalog);

/**
 * @brief Release order: otaprio_graph_order() of the package graph, with
 *        a cycle named by package names in the diagnostics.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param[out] order receives one id per package.
 * @param[out] diag optional; on #OTAPRIO_E_CYCLE the message reads
 *                  `cycle: modem-3 -> bootloader-2 -> modem-3`.
 * @return as otaprio_graph_order().
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_release_order(const otaprio_catalog *catalog,
                                              uint32_t *order,
                                              otaprio_diag *diag);

/**
 * @brief Finds a component by name.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param name the name.
 * @param length bytes in @p name.
 * @param[out] component receives the id.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_NOT_FOUND.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_component_id(const otaprio_catalog *catalog,
                                             const char *name, size_t length,
                                             uint32_t *component,
                                             otaprio_diag *diag);

/**
 * @brief Finds a package by name.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param name the name.
 * @param length bytes in @p name.
 * @param[out] package receives the id.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_NOT_FOUND.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_package_id(const otaprio_catalog *catalog,
                                           const char *name, size_t length,
                                           uint32_t *package,
                                           otaprio_diag *diag);

/**
 * @brief Finds the id of a component's version, by value (`1.2` finds
 *        `1.2.0`).
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param component the component id.
 * @param version the version text.
 * @param length bytes in @p version.
 * @param[out] version_id receives the id.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE for an unknown
 *         component; #OTAPRIO_E_SYNTAX; #OTAPRIO_E_NOT_FOUND for a version
 *         the catalog never saw.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_version_id(const otaprio_catalog *catalog,
                                           uint32_t component,
                                           const char *version, size_t length,
                                           uint32_t *version_id,
                                           otaprio_diag *diag);

/**
 * @brief The name of a component or package, or the text of a version, as
 *        first given to the builder (not NUL-terminated).
 * @since 0.1.0
 */
typedef enum otaprio_catalog_name_kind {
    /** A component name; `id` is a component id. @since 0.1.0 */
    OTAPRIO_NAME_COMPONENT = 0,
    /** A package name; `id` is a package id. @since 0.1.0 */
    OTAPRIO_NAME_PACKAGE = 1,
    /** A version's text; `id` is a version id of `component`.
     *  @since 0.1.0 */
    OTAPRIO_NAME_VERSION = 2
} otaprio_catalog_name_kind;

/**
 * @brief Looks up a name or version text.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param kind ::otaprio_catalog_name_kind.
 * @param component the component, for #OTAPRIO_NAME_VERSION; else ignored.
 * @param id the id to name.
 * @param[out] text receives a pointer into the catalog, valid as long as it.
 * @param[out] length receives the number of bytes.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE for an unknown
 *         kind or id.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_name(const otaprio_catalog *catalog,
                                     int32_t kind, uint32_t component,
                                     uint32_t id, const char **text,
                                     size_t *length, otaprio_diag *diag);

/**
 * @brief A chunk of devices' installed versions and predicate inputs, as
 *        columns of otaprio_device_state::count elements.
 *
 * Prepare with otaprio_device_state_init(). A NULL predicate column means
 * the host does not know the value; a package with a rule on it then
 * fails that rule, except for the defaults noted below. In the carrier,
 * region and enrollment columns, #OTAPRIO_CODE_UNKNOWN says the same of
 * one device.
 * @since 0.1.0
 */
typedef struct otaprio_device_state {
    /** Caller's `sizeof(otaprio_device_state)`. @since 0.1.0 */
    size_t size;
    /** Number of devices. @since 0.1.0 */
    size_t count;
    /** One column per component id below otaprio_device_state::component_count:
     *  the version id installed on each device, or #OTAPRIO_VERSION_NONE.
     *  A NULL column means the component is on no device. @since 0.1.0 */
    const uint32_t *const *versions;
    /** Entries in otaprio_device_state::versions; components at or past it
     *  are on no device. @since 0.1.0 */
    size_t component_count;
    /** Carrier codes; #OTAPRIO_CODE_UNKNOWN for a device whose carrier
     *  the host does not know, which fails a carrier rule as a NULL column
     *  does. @since 0.1.0 */
    const uint32_t *carrier;
    /** Region codes; #OTAPRIO_CODE_UNKNOWN for a device whose region the
     *  host does not know, which fails a region rule and is blocked by
     *  denied regions as a NULL column is. @since 0.1.0 */
    const uint32_t *region;
    /** Enrollment state codes; #OTAPRIO_CODE_UNKNOWN for a device whose
     *  enrollment the host does not know, which fails an enrollment rule
     *  as a NULL column does. @since 0.1.0 */
    const uint32_t *enrollment;
    /** Battery charge in [0, 1]; NULL means mains power (1).
     *  @since 0.1.0 */
    const float *battery;
    /** 1 when charging; NULL means 0. @since 0.1.0 */
    const uint8_t *charging;
    /** Free storage in bytes; NULL means unlimited. @since 0.1.0 */
    const uint64_t *free_bytes;
    /** 1 on a metered link; NULL means 0. @since 0.1.0 */
    const uint8_t *metered;
} otaprio_device_state;

/**
 * @brief Prepares a device state chunk: no devices, every column NULL.
 *
 * Call as `otaprio_device_state_init(&state)`. Thread-safe.
 * @param state the struct to prepare.
 * @param size the caller's `sizeof(otaprio_device_state)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_device_state_init(otaprio_device_state *state,
                                          size_t size);

/**
 * @brief Why a device cannot install a package now: bits of a mask, 0
 *        meaning it can.
 *
 * #OTAPRIO_BLOCK_REQUIREMENT can be cured by a prerequisite path; the
 * others cannot be cured by installing packages.
 * @since 0.1.0
 */
typedef enum otaprio_block {
    /** A required component is missing or at a version the constraint
     *  does not admit. @since 0.1.0 */
    OTAPRIO_BLOCK_REQUIREMENT = 1u << 0,
    /** The device has a component version the package conflicts with.
     *  @since 0.1.0 */
    OTAPRIO_BLOCK_CONFLICT = 1u << 1,
    /** The device's carrier is not allowed, or unknown (a NULL column or
     *  #OTAPRIO_CODE_UNKNOWN). @since 0.1.0 */
    OTAPRIO_BLOCK_CARRIER = 1u << 2,
    /** The device's region is not allowed, or unknown (a NULL column or
     *  #OTAPRIO_CODE_UNKNOWN). @since 0.1.0 */
    OTAPRIO_BLOCK_REGION = 1u << 3,
    /** Legal or contractual rules forbid the package in the device's
     *  region, or the package denies some regions and the device's region
     *  is unknown (a NULL column or #OTAPRIO_CODE_UNKNOWN). @since 0.1.0 */
    OTAPRIO_BLOCK_LEGAL = 1u << 4,
    /** The device's enrollment state is not allowed, or unknown (a NULL
     *  column or #OTAPRIO_CODE_UNKNOWN). @since 0.1.0 */
    OTAPRIO_BLOCK_ENROLLMENT = 1u << 5,
    /** Battery below the package's minimum and not charging.
     *  @since 0.1.0 */
    OTAPRIO_BLOCK_BATTERY = 1u << 6,
    /** Less free storage than the package needs. @since 0.1.0 */
    OTAPRIO_BLOCK_STORAGE = 1u << 7,
    /** On a metered link and the package forbids it. @since 0.1.0 */
    OTAPRIO_BLOCK_METERED = 1u << 8,
    /** Already current: every component the package provides is installed
     *  at that version or a higher one. @since 0.1.0 */
    OTAPRIO_BLOCK_CURRENT = 1u << 9
} otaprio_block;

/**
 * @brief Names one ::otaprio_block bit ("requirement", "legal").
 *
 * Thread-safe; cannot fail.
 * @param block a single bit.
 * @return a static string; "unknown" for anything else.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_block_name(uint32_t block);

/**
 * @brief Checks whether each device of a chunk can install @p package now.
 *
 * Every column is validated before anything is written: on error the
 * outputs are untouched. Allocates nothing; time is linear in the chunk
 * times the package's relations, each a table lookup.
 *
 * Thread-safe, on distinct outputs.
 * @param catalog the catalog.
 * @param package the target package.
 * @param state the devices.
 * @param[out] blocks receives a ::otaprio_block mask per device, or NULL.
 * @param[out] first_failed receives, per device, the number of the first
 *                          relation of @p package that fails, or
 *                          `UINT32_MAX` when none does; or NULL.
 * @param[out] eligible_count receives the number of devices with an empty
 *                            mask, or NULL.
 * @param[out] diag optional; names the column and device of bad input.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers (all three
 *         outputs NULL included); #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for an unknown package, a version id that is not
 *         #OTAPRIO_VERSION_NONE nor a version of its component, a battery
 *         level outside [0, 1] or a flag other than 0 or 1.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_catalog_check_devices(const otaprio_catalog *catalog, uint32_t package,
                              const otaprio_device_state *state,
                              uint32_t *blocks, uint32_t *first_failed,
                              uint64_t *eligible_count, otaprio_diag *diag);

/** @brief Default work limit of otaprio_catalog_update_path(), in device
 *         states (over the relevant components) examined. @since 0.1.0 */
#define OTAPRIO_PATH_DEFAULT_STATES 100000u

/**
 * @brief The shortest prerequisite path of one device to a package.
 *
 * Finds the packages to install, in order, before @p package becomes
 * installable: each one installable when its turn comes (requirements,
 * conflicts and predicates), each applied by setting the components it
 * provides, and @p package's requirements and conflicts met at the end.
 * Fewest steps first; among those the smallest total download; among those
 * the sequence of package ids that is smallest lexicographically. Length 0
 * means that @p package's requirements and conflicts already hold on the
 * device; #OTAPRIO_BLOCK_CURRENT is not considered, so a device that
 * already has what @p package provides gets length 0 too.
 *
 * Only relevant packages are searched: the relevant components are those
 * named by @p package's requirements and conflicts and, repeatedly, by the
 * requirements and conflicts of every package that provides a relevant
 * component; the relevant packages are those providers. Other packages
 * never change what decides the path, so the answer is the same as over
 * the whole catalog, and a large catalog costs only its relevant part.
 *
 * When nothing would help (a predicate of @p package fails, or no sequence
 * of packages reaches it), #OTAPRIO_E_NOT_FOUND is returned and the
 * diagnostics say why. When more than @p max_states device states would
 * have to be examined, #OTAPRIO_E_LIMIT; a state is the installed versions
 * of the relevant components only.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param package the target package.
 * @param state a device chunk.
 * @param device index of the device in @p state.
 * @param max_states work limit; 0 means #OTAPRIO_PATH_DEFAULT_STATES.
 * @param[out] path receives the prerequisite package ids.
 * @param capacity number of ids @p path holds; when the path is longer,
 *                 nothing is written, `*length` is set and
 *                 #OTAPRIO_E_RANGE is returned.
 * @param[out] length receives the number of steps.
 * @param[out] download_bytes receives the path's total download, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for an unknown package or device, bad column
 *         values, or a too small @p capacity; #OTAPRIO_E_NOT_FOUND;
 *         #OTAPRIO_E_LIMIT; #OTAPRIO_E_OVERFLOW when the best path's total
 *         download exceeds `UINT64_MAX` bytes; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_catalog_update_path(const otaprio_catalog *catalog, uint32_t package,
                            const otaprio_device_state *state, size_t device,
                            uint64_t max_states, uint32_t *path,
                            size_t capacity, size_t *length,
                            uint64_t *download_bytes, otaprio_diag *diag);

/**
 * @brief Packages that inherit a flaw in some versions of a component.
 *
 * A package is hit directly (mark 1) when it provides a version the
 * constraint admits, or when it requires the component with a constraint
 * that admits one of the catalog's versions the flaw constraint admits and
 * does not itself provide the component. A package that replaces the
 * component with a version outside the flaw (a delta that requires
 * `os 11.2` and provides `os 12.0`, for the flaw `os < 12`) is the cure,
 * not a victim. Every package reachable from those hit directly in the
 * package graph without passing through a cure inherits the flaw (mark
 * 2): what comes after a cure runs on the cured version. A product family
 * is hit when any of its packages is.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param component the flawed component.
 * @param constraint the flawed versions, e.g. `< 1.1.1w`.
 * @param length bytes in @p constraint.
 * @param[out] marks receives one byte per package: 0, 1 or 2.
 * @param[out] count receives the number of packages hit, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE for an unknown
 *         component or a constraint with crossed ends;
 *         #OTAPRIO_E_SYNTAX; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_impact(const otaprio_catalog *catalog,
                                       uint32_t component,
                                       const char *constraint, size_t length,
                                       uint8_t *marks, uint64_t *count,
                                       otaprio_diag *diag);

/**
 * @brief Devices that inherit a flaw: mark 1 when the device runs a flawed
 *        version of the component, mark 2 when it does not but runs a
 *        component version that a package hit by otaprio_catalog_impact()
 *        (mark 1 or 2) provides, 0 otherwise.
 *
 * A version provided only by packages that are not hit, such as the one a
 * cure provides (see otaprio_catalog_impact()), marks no device.
 *
 * Counts by product family, build or region follow by feeding the marks,
 * as flags (1 for a mark of 1 or 2), as the `include` column of
 * otaprio_clusterer_add() with that attribute, which takes 0 or 1 only;
 * the share of marked devices is the risk engine's blast radius.
 *
 * Thread-safe, on distinct outputs.
 * @param catalog the catalog.
 * @param component the flawed component.
 * @param constraint the flawed versions.
 * @param length bytes in @p constraint.
 * @param state the devices; only the version columns are read.
 * @param[out] marks receives one byte per device.
 * @param[out] count receives the number of marked devices, or NULL.
 * @param[out] diag optional.
 * @return as otaprio_catalog_impact(), and #OTAPRIO_E_RANGE for a version
 *         id that is not one of its component.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_impact_devices(
    const otaprio_catalog *catalog, uint32_t component, const char *constraint,
    size_t length, const otaprio_device_state *state, uint8_t *marks,
    uint64_t *count, otaprio_diag *diag);

/**
 * @brief The components whose installed versions decide a device's update
 *        path to @p package: those named by relations of @p package and of
 *        every package it depends on in the package graph, ascending.
 *
 * Devices that agree on these versions take the same path, so clustering
 * on these columns (otaprio_clusterer_add()) gives the dependency chains a
 * canary cohort must cover: a cohort of devices that all have a new
 * bootloader says nothing about devices that need one.
 *
 * Thread-safe.
 * @param catalog the catalog.
 * @param package the target package.
 * @param[out] components receives component ids; may be NULL when
 *                        @p capacity is 0.
 * @param capacity number of ids @p components holds; when too small,
 *                 nothing is written, `*count` is set and
 *                 #OTAPRIO_E_RANGE is returned.
 * @param[out] count receives the number of components.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE;
 *         #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_catalog_chain_components(const otaprio_catalog *catalog,
                                                 uint32_t package,
                                                 uint32_t *components,
                                                 size_t capacity, size_t *count,
                                                 otaprio_diag *diag);

/* ==== shared-fate clusters ============================================ */

/**
 * @brief Groups devices that share the values of chosen attributes
 *        (build, hardware revision, battery chemistry, network, ...), chunk
 *        after chunk. Single-threaded.
 * @since 0.1.0
 */
typedef struct otaprio_clusterer otaprio_clusterer;

/** @brief Most attributes a clusterer groups by. @since 0.1.0 */
#define OTAPRIO_CLUSTER_MAX_ATTRIBUTES 64

/**
 * @brief Starts a clusterer over @p attribute_count attribute columns.
 *
 * Thread-safe.
 * @param attribute_count 1 to #OTAPRIO_CLUSTER_MAX_ATTRIBUTES.
 * @param allocator for the clusterer's life, or NULL.
 * @param[out] clusterer receives it; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for an attribute count out of range;
 *         #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_clusterer_create(size_t attribute_count,
                                         const otaprio_allocator *allocator,
                                         otaprio_clusterer **clusterer,
                                         otaprio_diag *diag);

/**
 * @brief Frees a clusterer; NULL is a no-op.
 * @param clusterer the clusterer.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_clusterer_free(otaprio_clusterer *clusterer);

/**
 * @brief Adds a chunk of devices.
 *
 * Cluster ids are dense, from 0, in order of first appearance across all
 * chunks, so they are the same for the same devices in the same order.
 * Expected time O(count * attribute_count).
 *
 * On error nothing changes: the clusterer, its counts and @p cluster are
 * as before.
 *
 * Not thread-safe on one clusterer.
 * @param clusterer the clusterer.
 * @param columns `attribute_count` columns of @p count values each; a NULL
 *                column counts as all zeros.
 * @param count number of devices.
 * @param include 1 for devices to count, 0 for devices to skip (their
 *                cluster is `UINT32_MAX`); NULL counts every device.
 * @param cohort 1 for devices in the canary cohort; NULL for none.
 * @param[out] cluster receives each device's cluster id, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_RANGE for a flag other than 0 or 1 (field "include" or
 *         "cohort"); #OTAPRIO_E_OVERFLOW for more than `UINT32_MAX - 1`
 *         clusters; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_clusterer_add(otaprio_clusterer *clusterer,
                                      const uint32_t *const *columns,
                                      size_t count, const uint8_t *include,
                                      const uint8_t *cohort, uint32_t *cluster,
                                      otaprio_diag *diag);

/**
 * @brief Number of clusters so far. Thread-safe with other readers.
 * @param clusterer the clusterer, or NULL (then 0).
 * @return the count.
 * @since 0.1.0
 */
OTAPRIO_API uint32_t
otaprio_clusterer_count(const otaprio_clusterer *clusterer);

/**
 * @brief Reports clusters' sizes and canary coverage.
 *
 * Thread-safe with other readers.
 * @param clusterer the clusterer.
 * @param first first cluster id to report.
 * @param number how many clusters to report.
 * @param[out] members receives each cluster's device count, or NULL.
 * @param[out] cohort_members receives each cluster's count of cohort
 *                            devices (0 means the cohort does not cover
 *                            it), or NULL.
 * @param[out] values receives `attribute_count` values per cluster, the
 *                    tuple that defines it, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL clusterer;
 *         #OTAPRIO_E_RANGE when `first + number` exceeds the count.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_clusterer_report(const otaprio_clusterer *clusterer,
                                         uint32_t first, uint32_t number,
                                         uint64_t *members,
                                         uint64_t *cohort_members,
                                         uint32_t *values, otaprio_diag *diag);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_graph_callbacks_init(callbacks) \
    otaprio_graph_callbacks_init((callbacks), sizeof(*(callbacks)))
#define otaprio_package_init(package) \
    otaprio_package_init((package), sizeof(*(package)))
#define otaprio_device_state_init(state) \
    otaprio_device_state_init((state), sizeof(*(state)))
/** @endcond */

#endif /* OTAPRIO_GRAPH_H */
