// SPDX-License-Identifier: MIT
//
// otaprio-peer-graph-boost: the Boost Graph peer of the graph benchmark.
// It generates the same two DAGs as otaprio-bench (bench/graph_gen.c,
// linked in, so each program stands alone on identical input), times what
// a Boost user would write for each operation, and prints one JSON line in
// otaprio-bench's shape ("ops", "checksum", "extra"), which bench/run.py
// compares with ours.
//
//   otaprio-peer-graph-boost [--n N] [--reps R] [--seed S]
//
// The graph is compressed_sparse_row_graph<directedS> with 32-bit vertex
// and edge indices: the Boost type for a static graph, and the smallest.
// It holds out-edges only, which is all these algorithms need (ours also
// builds the in-edges). Timed, per graph, alternating within a repetition:
// - build: the CSR constructor from the edge list as pairs
//   (edges_are_unsorted_multi_pass); variant "build:inplace", the
//   in-place constructor from source and target vectors copied untimed;
// - order: topological_sort into a reserved vector (reverse order), with
//   its default color map; variant "order:twobit" with a two_bit_color_map
//   made untimed;
// - reach: breadth_first_search from the source with a color map over a
//   vector allocated untimed (the search whitens it: O(n), like ours);
//   variant "reach:twobit" with a two_bit_color_map made untimed;
// - scc: strong_components into a vector allocated untimed.
// Boost neither sorts a row's edges nor detects duplicate edges; ours does
// both while building.
//
// The digests are of the base operations' answers. Each variant's answer
// is checked against its base's (the same rows, reached set, a valid
// order): "variants_agree" in the JSON line says whether it was.
//
// Memory: a replaced global operator new counts live and peak bytes, so
// the extra figures give the graph's bytes and each operation's peak.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <boost/graph/two_bit_color_map.hpp>
#include <boost/version.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "graph_gen.h"

// ---- counting operator new -------------------------------------------

namespace
{

struct heap_count {
    std::size_t live = 0;
    std::size_t peak = 0;
};

heap_count heap; // single-threaded program: plain counters suffice

constexpr std::size_t header = alignof(std::max_align_t);

void *counted_alloc(std::size_t bytes)
{
    if (bytes > SIZE_MAX - header)
        throw std::bad_alloc();
    auto *block = static_cast<unsigned char *>(std::malloc(bytes + header));
    if (block == nullptr)
        throw std::bad_alloc();
    std::memcpy(block, &bytes, sizeof bytes);
    heap.live += bytes;
    heap.peak = std::max(heap.peak, heap.live);
    return block + header;
}

void counted_free(void *p) noexcept
{
    if (p == nullptr)
        return;
    auto *block = static_cast<unsigned char *>(p) - header;
    std::size_t bytes;
    std::memcpy(&bytes, block, sizeof bytes);
    heap.live -= bytes;
    std::free(block);
}

} // namespace

void *operator new(std::size_t bytes)
{
    return counted_alloc(bytes);
}
void *operator new[](std::size_t bytes)
{
    return counted_alloc(bytes);
}
void operator delete(void *p) noexcept
{
    counted_free(p);
}
void operator delete[](void *p) noexcept
{
    counted_free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    counted_free(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    counted_free(p);
}

// ---- the peer ----------------------------------------------------------

namespace
{

using Graph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                       boost::no_property, boost::no_property,
                                       std::uint32_t, std::uint32_t>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using IndexMap = boost::property_map<Graph, boost::vertex_index_t>::const_type;
using TwoBit = boost::two_bit_color_map<IndexMap>;

constexpr std::uint64_t default_seed = 0x6f74617072696f21u; // as main.c

double now_ms()
{
    using clock = std::chrono::steady_clock; // CLOCK_MONOTONIC on Linux
    return std::chrono::duration<double, std::milli>(
               clock::now().time_since_epoch())
        .count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    std::size_t k = v.size() / 2;
    return v.size() % 2 != 0 ? v[k] : (v[k - 1] + v[k]) / 2;
}

std::uint64_t digest(const void *data, std::size_t bytes)
{
    return XXH3_64bits(bytes != 0 ? data : "", bytes);
}

// One graph's input, Boost structures and answers.
struct graph_case {
    bench_edge_list edges{};
    std::vector<std::pair<Vertex, Vertex>> pairs;
    std::unique_ptr<Graph> graph; // built untimed: what the searches query
    std::unique_ptr<Graph> fresh; // the build operation's result
    std::vector<Vertex> sources, targets; // the in-place build's input
    std::vector<Vertex> order, order_twobit;
    std::vector<boost::default_color_type> color;
    std::unique_ptr<TwoBit> twobit_order, twobit_reach;
    std::vector<std::uint32_t> component;
    std::uint32_t component_count = 0;
    // Memory, bytes: the graph, and each operation's peak above what was
    // live before it.
    double graph_bytes = 0, build_peak = 0, order_peak = 0, reach_peak = 0,
           scc_peak = 0;
};

enum op_kind {
    OP_BUILD,
    OP_BUILD_INPLACE,
    OP_ORDER,
    OP_ORDER_TWOBIT,
    OP_REACH,
    OP_REACH_TWOBIT,
    OP_SCC,
    OPS
};
const char *const op_suffix[OPS] = {
    "build", "build:inplace", "order", "order:twobit",
    "reach", "reach:twobit",  "scc"};

void prepare(graph_case &c, int op)
{
    switch (op) {
    case OP_BUILD:
        c.fresh.reset();
        break;
    case OP_BUILD_INPLACE:
        c.fresh.reset();
        c.sources.assign(c.edges.from, c.edges.from + c.edges.edges);
        c.targets.assign(c.edges.to, c.edges.to + c.edges.edges);
        break;
    case OP_ORDER:
        c.order.clear();
        break;
    case OP_ORDER_TWOBIT:
        c.order_twobit.clear();
        c.twobit_order.reset(
            new TwoBit(c.edges.nodes, get(boost::vertex_index, *c.graph)));
        break;
    case OP_REACH_TWOBIT:
        if (!c.twobit_reach)
            c.twobit_reach.reset(
                new TwoBit(c.edges.nodes, get(boost::vertex_index, *c.graph)));
        break;
    default:
        break;
    }
}

void run(graph_case &c, int op)
{
    const std::uint32_t n = c.edges.nodes;
    switch (op) {
    case OP_BUILD:
        c.fresh.reset(new Graph(boost::edges_are_unsorted_multi_pass,
                                c.pairs.begin(), c.pairs.end(), n));
        break;
    case OP_BUILD_INPLACE:
        c.fresh.reset(
            new Graph(boost::construct_inplace_from_sources_and_targets,
                      c.sources, c.targets, n));
        break;
    case OP_ORDER:
        boost::topological_sort(*c.graph, std::back_inserter(c.order));
        break;
    case OP_ORDER_TWOBIT:
        boost::topological_sort(*c.graph, std::back_inserter(c.order_twobit),
                                boost::color_map(*c.twobit_order));
        break;
    case OP_REACH_TWOBIT:
        boost::breadth_first_search(*c.graph, Vertex(c.edges.source),
                                    boost::color_map(*c.twobit_reach));
        break;
    case OP_REACH:
        boost::breadth_first_search(
            *c.graph, Vertex(c.edges.source),
            boost::color_map(boost::make_iterator_property_map(
                c.color.begin(), get(boost::vertex_index, *c.graph))));
        break;
    default:
        c.component_count = static_cast<std::uint32_t>(boost::strong_components(
            *c.graph,
            boost::make_iterator_property_map(
                c.component.begin(), get(boost::vertex_index, *c.graph))));
        break;
    }
}

// Runs `op` once untimed, recording its peak bytes above the bytes live
// before it, and returns that peak.
double measure_peak(graph_case &c, int op)
{
    prepare(c, op);
    std::size_t base = heap.live;
    heap.peak = base;
    run(c, op);
    return static_cast<double>(heap.peak - base);
}

int setup(graph_case &c, int kind, std::uint64_t seed, std::uint32_t n)
{
    if (bench_graph_generate(kind, seed, n, &c.edges) != 0)
        return -1;
    c.pairs.reserve(c.edges.edges);
    for (std::size_t e = 0; e < c.edges.edges; e++)
        c.pairs.emplace_back(c.edges.from[e], c.edges.to[e]);
    std::size_t before = heap.live;
    c.graph.reset(new Graph(boost::edges_are_unsorted_multi_pass,
                            c.pairs.begin(), c.pairs.end(), n));
    c.graph_bytes = static_cast<double>(heap.live - before);
    c.order.reserve(n);
    c.order_twobit.reserve(n);
    c.color.assign(n, boost::white_color);
    c.component.assign(n, 0);
    c.build_peak = measure_peak(c, OP_BUILD);
    c.fresh.reset();
    c.order_peak = measure_peak(c, OP_ORDER);
    c.reach_peak = measure_peak(c, OP_REACH);
    c.scc_peak = measure_peak(c, OP_SCC);
    return 0;
}

// Whether two graphs have the same rows, as sets.
bool same_rows(const Graph &a, const Graph &b)
{
    if (num_vertices(a) != num_vertices(b) || num_edges(a) != num_edges(b))
        return false;
    std::vector<Vertex> x, y;
    for (Vertex v = 0; v < num_vertices(a); v++) {
        x.clear();
        y.clear();
        auto [a_begin, a_end] = out_edges(v, a);
        for (auto e = a_begin; e != a_end; ++e)
            x.push_back(target(*e, a));
        auto [b_begin, b_end] = out_edges(v, b);
        for (auto e = b_begin; e != b_end; ++e)
            y.push_back(target(*e, b));
        std::sort(x.begin(), x.end());
        std::sort(y.begin(), y.end());
        if (x != y)
            return false;
    }
    return true;
}

// The number of edges a reverse topological order (topological_sort's
// output) puts tail first, read forward; UINT64_MAX if not a permutation.
std::uint64_t forward_edges(const graph_case &c,
                            const std::vector<Vertex> &reversed)
{
    std::uint32_t n = c.edges.nodes;
    if (reversed.size() != n)
        return UINT64_MAX;
    std::vector<std::uint32_t> order(reversed.rbegin(), reversed.rend());
    std::vector<std::uint32_t> scratch(std::max<std::size_t>(n, 1));
    return bench_graph_forward_edges(&c.edges, order.data(), scratch.data());
}

// Each variant's last answer against its base operation's, by op index.
void check_variants(graph_case &c, bool agree[OPS])
{
    for (int op = 0; op < OPS; op++)
        agree[op] = true;
    agree[OP_BUILD_INPLACE] = c.fresh && same_rows(*c.fresh, *c.graph);
    agree[OP_ORDER_TWOBIT] = forward_edges(c, c.order_twobit) == c.edges.edges;
    for (std::uint32_t v = 0; v < c.edges.nodes; v++) {
        bool twobit = get(*c.twobit_reach, Vertex(v)) != boost::two_bit_white;
        if (twobit != (c.color[v] != boost::white_color))
            agree[OP_REACH_TWOBIT] = false;
    }
}

struct options {
    std::uint32_t n = 1000000; // as bench_graph.c's default_n
    std::size_t reps = 5;
    std::uint64_t seed = default_seed;
};

bool parse_u64(const char *text, std::uint64_t *value)
{
    if (text[0] < '0' || text[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long parsed = std::strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0')
        return false;
    *value = parsed;
    return true;
}

bool parse(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i += 2) {
        std::uint64_t v;
        if (i + 1 >= argc || !parse_u64(argv[i + 1], &v))
            return false;
        std::string flag = argv[i];
        if (flag == "--n" && v >= 1 && v <= UINT32_MAX - 1)
            o->n = static_cast<std::uint32_t>(v);
        else if (flag == "--reps" && v >= 1 && v <= 100000)
            o->reps = static_cast<std::size_t>(v);
        else if (flag == "--seed")
            o->seed = v;
        else
            return false;
    }
    return true;
}

void print_samples(const std::vector<double> &samples)
{
    for (std::size_t i = 0; i < samples.size(); i++)
        std::printf("%s%.6f", i != 0 ? "," : "", samples[i]);
}

} // namespace

int main(int argc, char **argv)
{
    options opts;
    if (!parse(argc, argv, &opts)) {
        std::fprintf(stderr, "usage: otaprio-peer-graph-boost [--n N] "
                             "[--reps R] [--seed S]\n");
        return 2;
    }
    graph_case cases[BENCH_GRAPH_KINDS];
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        if (setup(cases[k], k, opts.seed, opts.n) != 0) {
            std::fprintf(stderr, "otaprio-peer-graph-boost: out of memory\n");
            return 1;
        }
    }

    // samples[k][op][rep]
    std::vector<double> samples[BENCH_GRAPH_KINDS][OPS];
    for (std::size_t rep = 0; rep < opts.reps; rep++) {
        for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
            for (int op = 0; op < OPS; op++) {
                prepare(cases[k], op);
                double start = now_ms();
                run(cases[k], op);
                samples[k][op].push_back(now_ms() - start);
            }
        }
    }

    std::printf("{\"bench\":\"graph\",\"n\":%" PRIu32
                ",\"seed\":\"0x%016" PRIx64 "\",\"reps\":%zu",
                opts.n, opts.seed, opts.reps);
    std::printf(",\"peer\":\"Boost.Graph %d.%d.%d "
                "compressed_sparse_row_graph<directedS>\"",
                BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                BOOST_VERSION % 100);
    std::printf(",\"ops\":{");
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        for (int op = 0; op < OPS; op++) {
            std::printf("%s\"%s_%s\":{\"median_ms\":%.6f,\"samples_ms\":[",
                        k + op != 0 ? "," : "", bench_graph_kind_name(k),
                        op_suffix[op], median(samples[k][op]));
            print_samples(samples[k][op]);
            std::printf("]}");
        }
    }
    std::printf("},\"checksum\":{");
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        graph_case &c = cases[k];
        const char *name = bench_graph_kind_name(k);
        std::uint32_t n = c.edges.nodes;
        std::size_t m = c.edges.edges;
        std::vector<std::uint32_t> edges(c.edges.from, c.edges.from + m);
        edges.insert(edges.end(), c.edges.to, c.edges.to + m);
        // topological_sort writes the reverse of a topological order.
        std::uint64_t forward = forward_edges(c, c.order);
        std::vector<std::uint8_t> reached(n);
        for (std::uint32_t v = 0; v < n; v++)
            reached[v] = c.color[v] != boost::white_color;
        std::vector<std::uint32_t> labels(n);
        std::vector<std::uint32_t> least(
            std::max<std::uint32_t>(c.component_count, 1));
        if (bench_graph_min_labels(n, c.component.data(), c.component_count,
                                   least.data(), labels.data()) != 0) {
            std::fprintf(stderr, "otaprio-peer-graph-boost: bad component\n");
            return 1;
        }
        std::printf("%s\"%s_edges\":\"0x%016" PRIx64 "\"", k != 0 ? "," : "",
                    name, digest(edges.data(), edges.size() * 4));
        std::printf(",\"%s_order_forward\":\"0x%016" PRIx64 "\"", name,
                    digest(&forward, sizeof forward));
        std::printf(",\"%s_reached\":\"0x%016" PRIx64 "\"", name,
                    digest(reached.data(), reached.size()));
        std::printf(",\"%s_scc\":\"0x%016" PRIx64 "\"", name,
                    digest(labels.data(), labels.size() * 4));
    }
    std::printf("},\"variants_agree\":{");
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        bool agree[OPS];
        check_variants(cases[k], agree);
        bool first = k == 0;
        for (int op = 0; op < OPS; op++) {
            if (std::strchr(op_suffix[op], ':') == nullptr)
                continue;
            std::printf("%s\"%s_%s\":%s", first ? "" : ",",
                        bench_graph_kind_name(k), op_suffix[op],
                        agree[op] ? "true" : "false");
            first = false;
        }
    }
    std::printf("},\"extra\":{");
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        const graph_case &c = cases[k];
        const char *name = bench_graph_kind_name(k);
        std::uint64_t reached = 0;
        for (auto color : c.color)
            reached += color != boost::white_color;
        std::printf("%s\"%s_reached\":%" PRIu64, k != 0 ? "," : "", name,
                    reached);
        std::printf(",\"%s_components\":%" PRIu32, name, c.component_count);
        std::printf(",\"%s_graph_bytes\":%.0f", name, c.graph_bytes);
        std::printf(",\"%s_build_peak_bytes\":%.0f", name, c.build_peak);
        std::printf(",\"%s_order_peak_bytes\":%.0f", name, c.order_peak);
        std::printf(",\"%s_reach_peak_bytes\":%.0f", name, c.reach_peak);
        std::printf(",\"%s_scc_peak_bytes\":%.0f", name, c.scc_peak);
    }
    std::printf("},\"compiler\":{\"family\":\"%s\",\"version\":\"%s\","
                "\"optimized\":%s}}\n",
#if defined(__clang__)
                "clang",
#else
                "gcc",
#endif
                __VERSION__,
#ifdef __OPTIMIZE__
                "true"
#else
                "false"
#endif
    );
    for (auto &c : cases)
        bench_graph_release(&c.edges);
    return std::fflush(stdout) == 0 ? 0 : 1;
}
