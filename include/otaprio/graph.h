/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/graph.h
 * @brief Dependency engine: versions and constraints, directed graphs and
 *        their traversals, the package catalog (release order, impact,
 *        eligibility, update paths) and shared-fate clusters.
 *
 * Two layers, each usable alone:
 * - **Versions.** A documented total order over version strings and
 *   interval constraints over it (otaprio_version_compare(),
 *   otaprio_constraint_matches()).
 * - **Graphs.** An immutable directed graph over node ids `0 .. n-1`, built
 *   once through a builder into compressed sparse rows
 *   (otaprio_graph_builder_create()), or wrapped around a host's own graph
 *   through neighbour callbacks (otaprio_graph_wrap()). Both kinds answer
 *   the same traversals: topological order with the cycle named on
 *   failure, reachability, strongly connected components.
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
 * @brief Strongly connected components.
 *
 * Components are numbered in a topological order of the condensation: for
 * every edge `u -> v` between two components, `component[u] <
 * component[v]`. A component of more than one node is a set of mutually
 * dependent nodes. Time O(nodes + edges); scratch memory about
 * `16 * node_count` bytes. On error the outputs are untouched.
 *
 * Thread-safe.
 * @param graph the graph.
 * @param[out] component receives otaprio_graph_node_count() component
 *                       numbers.
 * @param[out] component_count receives the number of components, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_RANGE for a callback's neighbour id that is not a
 *         node; #OTAPRIO_E_NOMEM; a callback's own status.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_graph_scc(const otaprio_graph *graph,
                                  uint32_t *component,
                                  uint32_t *component_count,
                                  otaprio_diag *diag);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_graph_callbacks_init(callbacks) \
    otaprio_graph_callbacks_init((callbacks), sizeof(*(callbacks)))
/** @endcond */

#endif /* OTAPRIO_GRAPH_H */
