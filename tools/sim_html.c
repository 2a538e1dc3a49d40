/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --html`: a report that opens in any browser without
 * network access. One document, CSS in a <style> element, charts drawn
 * here as inline SVG (no script, no font or image to fetch), so it can be
 * mailed or archived with a postmortem. Every text that comes from a
 * scenario or the library is escaped.
 *
 * Per scenario: the plan, the timeline, the outcome and the charts:
 * devices updated over time with the wave starts, exemptions and halts
 * drawn as vertical lines; for an exploited flaw, the devices still
 * exposed; and for the boot-failure and heavy-drain guardrails, the
 * canary's and the baseline's rate since the window began against the
 * rate the guardrail allowed, at every hourly look.
 */
#include <math.h>
#include <string.h>

#include "sim_io.h"
#include "sim_output.h"

/* ---- text -------------------------------------------------------------- */

/* Text as HTML character data or attribute value. */
static void put_text(FILE *out, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*p, out);
        }
    }
}

/* A library name, which may be NULL for a value it does not know. */
static const char *named(const char *name)
{
    return name != NULL ? name : "?";
}

static const char *const event_words[] = {"starts", "exempted", "paused",
                                          "rolled back", "complete"};

static const char *event_word(int32_t kind)
{
    return kind >= 0 && kind <= SIM_EVENT_DONE ? event_words[kind] : "?";
}

/* ---- charts ------------------------------------------------------------ */

/* The chart's box and the plot area's margins, in SVG units: the title
 * and the y axis's unit above the plot, the x axis's ticks, its unit and
 * the legend below. */
enum { CHART_W = 760, CHART_H = 290, LEFT = 76, RIGHT = 16, TOP = 40 };
enum { BOTTOM = 66 };

typedef struct chart {
    FILE *out;
    double x_max, y_max;
} chart;

static double px(const chart *c, double x)
{
    return LEFT + (CHART_W - LEFT - RIGHT) * (x / c->x_max);
}

static double py(const chart *c, double y)
{
    double v = y > c->y_max ? c->y_max : y < 0.0 ? 0.0 : y;
    return TOP + (CHART_H - TOP - BOTTOM) * (1.0 - v / c->y_max);
}

/* A round step of about range / ticks: 1, 2 or 5 times a power of ten. */
static double nice_step(double range, int ticks)
{
    double raw = range / ticks;
    double power = pow(10.0, floor(log10(raw)));
    double unit = raw / power;
    return (unit <= 1.0   ? 1.0
            : unit <= 2.0 ? 2.0
            : unit <= 5.0 ? 5.0
                          : 10.0) *
           power;
}

/* A tick label: devices as 250k or 1.2M, small values with 3 digits. */
static void tick_label(char *text, size_t size, double v)
{
    if (v >= 1e6)
        snprintf(text, size, "%gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(text, size, "%gk", v / 1e3);
    else
        snprintf(text, size, "%.3g", v);
}

/* Opens the <svg> with its title, axes, grid and ticks. `y_max` is
 * rounded up to a whole step. */
static void chart_begin(chart *c, FILE *out, const char *title,
                        const char *y_label, double x_max, double y_max)
{
    c->out = out;
    c->x_max = x_max > 0.0 ? x_max : 1.0;
    double y_step = nice_step(y_max > 0.0 ? y_max : 1.0, 5);
    c->y_max = ceil((y_max > 0.0 ? y_max : 1.0) / y_step) * y_step;
    fprintf(out,
            "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">"
            "<title>",
            CHART_W, CHART_H);
    put_text(out, title);
    fprintf(out, "</title>\n<text class=\"head\" x=\"%d\" y=\"16\">", LEFT);
    put_text(out, title);
    fputs("</text>\n", out);
    for (double y = 0.0; y <= c->y_max * (1.0 + 1e-9); y += y_step) {
        char label[32];
        tick_label(label, sizeof label, y);
        fprintf(out,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
                "y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" y=\"%.1f\" "
                "text-anchor=\"end\">%s</text>\n",
                LEFT, py(c, y), CHART_W - RIGHT, py(c, y), LEFT - 6,
                py(c, y) + 4.0, label);
    }
    /* Whole days once the run is longer than two. */
    double x_step = c->x_max > 48.0 ? 24.0 * ceil(nice_step(c->x_max / 24.0, 8))
                                    : nice_step(c->x_max, 8);
    for (double x = 0.0; x <= c->x_max * (1.0 + 1e-9); x += x_step)
        fprintf(out,
                "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
                "y2=\"%d\"/><text class=\"tick\" x=\"%.1f\" y=\"%d\" "
                "text-anchor=\"middle\">%g</text>\n",
                px(c, x), CHART_H - BOTTOM, px(c, x), CHART_H - BOTTOM + 4,
                px(c, x), CHART_H - BOTTOM + 16, x);
    fprintf(out,
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
            "<text class=\"tick\" x=\"%d\" y=\"%d\" "
            "text-anchor=\"middle\">hours since the rollout began</text>\n"
            "<text class=\"tick\" x=\"%d\" y=\"%d\">",
            LEFT, CHART_H - BOTTOM, CHART_W - RIGHT, CHART_H - BOTTOM, LEFT,
            TOP, LEFT, CHART_H - BOTTOM, (LEFT + CHART_W - RIGHT) / 2,
            CHART_H - BOTTOM + 32, 4, TOP - 10);
    put_text(out, y_label);
    fputs("</text>\n", out);
}

/* Reads point h of a series; NaN for a gap. */
typedef double (*series_fn)(const void *data, uint32_t h);

/* A series as one path; a gap (NaN) lifts the pen. Point h is drawn at
 * h + 1 hours: the end of hour h. */
static void chart_series(const chart *c, const char *css, const char *name,
                         series_fn at, const void *data, uint32_t count)
{
    fprintf(c->out, "<path class=\"%s\" d=\"", css);
    bool pen = false;
    for (uint32_t h = 0; h < count; h++) {
        double v = at(data, h);
        if (isnan(v)) {
            pen = false;
            continue;
        }
        fprintf(c->out, "%s%.1f %.1f", pen ? " L" : " M",
                px(c, (double)h + 1.0), py(c, v));
        pen = true;
    }
    fputs("\"><title>", c->out);
    put_text(c->out, name);
    fputs("</title></path>\n", c->out);
}

/* The legend, one entry per series, along the bottom. */
static void chart_legend(const chart *c, const char *const *css,
                         const char *const *names, int count)
{
    double x = LEFT;
    for (int i = 0; i < count; i++, x += 150.0) {
        fprintf(c->out,
                "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
                "y2=\"%d\"/><text class=\"tick\" x=\"%.1f\" y=\"%d\">",
                css[i], x, CHART_H - 10, x + 18.0, CHART_H - 10, x + 22.0,
                CHART_H - 6);
        put_text(c->out, names[i]);
        fputs("</text>\n", c->out);
    }
}

/* Wave starts, exemptions and halts as vertical lines. */
static void chart_events(const chart *c, const sim_outcome *o)
{
    static const char *const css[] = {"wave", "exempt", "halt", "halt"};
    for (uint32_t i = 0; i < o->event_count; i++) {
        const sim_event *e = &o->events[i];
        if (e->kind == SIM_EVENT_DONE || (e->kind == 0 && e->hour == 0))
            continue;
        char label[48];
        if (e->kind == SIM_EVENT_EXEMPT)
            snprintf(label, sizeof label, "SKU %u", e->subject);
        else if (e->kind == SIM_EVENT_WAVE)
            snprintf(label, sizeof label, "w%u", e->subject);
        else
            snprintf(label, sizeof label, "%s", event_word(e->kind));
        double x = px(c, (double)e->hour);
        /* Near the right edge the label goes left of its line. */
        bool left = x > CHART_W - RIGHT - 60;
        fprintf(c->out,
                "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
                "y2=\"%d\"><title>hour %u: %s</title></line>"
                "<text class=\"mark\" x=\"%.1f\" y=\"%d\" "
                "text-anchor=\"%s\">%s</text>\n",
                css[e->kind], x, TOP, x, CHART_H - BOTTOM, e->hour, label,
                left ? x - 2.0 : x + 2.0, TOP + 10 + 10 * (int)(i % 3),
                left ? "end" : "start", label);
    }
}

static void chart_end(const chart *c)
{
    fputs("</svg>\n", c->out);
}

/* ---- the series -------------------------------------------------------- */

static double updated_at(const void *data, uint32_t h)
{
    return (double)((const sim_outcome *)data)->updated_by_hour[h];
}

static double unpatched_at(const void *data, uint32_t h)
{
    return (double)((const sim_outcome *)data)->unpatched[h];
}

/* One rule's looks, scaled to events per 1,000 device-hours. */
typedef struct look_series {
    const sim_outcome *outcome;
    int rule;
    size_t member; /* offsetof the value in sim_look */
} look_series;

static double look_at(const void *data, uint32_t h)
{
    const look_series *s = data;
    const sim_look *l = &s->outcome->looks[(size_t)h * SIM_RULES + s->rule];
    double v;
    memcpy(&v, (const char *)l + s->member, sizeof v);
    return v * 1000.0;
}

/* Scaled to the devices of the waves released, so that a rollout halted
 * early still shows its curve. */
static void updated_chart(FILE *out, const otaprio_plan *plan,
                          const sim_outcome *o)
{
    uint32_t released = 0;
    for (uint32_t i = 0; i < o->event_count; i++)
        if (o->events[i].kind == SIM_EVENT_WAVE &&
            o->events[i].subject > released)
            released = o->events[i].subject;
    double top = 0.0;
    for (uint32_t k = 0; k <= released; k++) {
        otaprio_plan_wave w = {.size = sizeof w};
        if (otaprio_plan_get_wave(plan, k, &w, NULL) == OTAPRIO_OK)
            top += (double)w.devices;
    }
    for (uint32_t h = 0; h < o->hours; h++)
        if ((double)o->updated_by_hour[h] > top)
            top = (double)o->updated_by_hour[h];
    chart c;
    chart_begin(&c, out, "Devices updated, of the waves released", "devices",
                (double)o->hours, top);
    static const char *const css[] = {"s1", "wave", "exempt", "halt"};
    static const char *const names[] = {"updated", "wave starts",
                                        "SKU exempted", "halted"};
    chart_legend(&c, css, names, 4);
    chart_events(&c, o);
    chart_series(&c, "s1", "devices updated", updated_at, o, o->hours);
    chart_end(&c);
}

static void exposed_chart(FILE *out, const sim_outcome *o)
{
    chart c;
    double top = 0.0;
    for (uint32_t h = 0; h < o->hours; h++)
        if ((double)o->unpatched[h] > top)
            top = (double)o->unpatched[h];
    chart_begin(&c, out, "Devices still exposed to the exploited flaw",
                "devices", (double)o->hours, top);
    chart_events(&c, o);
    chart_series(&c, "s3", "devices exposed", unpatched_at, o, o->hours);
    chart_end(&c);
}

/* The canary's and the baseline's rate since the window began against
 * the rate the guardrail allowed. An early look on little exposure can
 * show a rate far above the rest; the scale follows the allowed rate and
 * the baseline (to 2.5 times the larger, room for a tripled rate), and
 * higher values are drawn at the top edge. */
static void rule_chart(FILE *out, const sim_outcome *o, int rule,
                       const char *title)
{
    look_series canary = {o, rule, offsetof(sim_look, canary)};
    look_series baseline = {o, rule, offsetof(sim_look, baseline)};
    look_series allowed = {o, rule, offsetof(sim_look, allowed)};
    double top = 0.0;
    for (uint32_t h = 0; h < o->hours; h++) {
        double a = look_at(&allowed, h), b = look_at(&baseline, h);
        if (!isnan(a) && a > top)
            top = a;
        if (!isnan(b) && b > top)
            top = b;
    }
    chart c;
    chart_begin(&c, out, title, "events per 1,000 device-hours",
                (double)o->hours, top * 2.5);
    static const char *const css[] = {"s1", "s2", "lim"};
    static const char *const names[] = {"canary", "baseline", "allowed"};
    chart_legend(&c, css, names, 3);
    chart_events(&c, o);
    chart_series(&c, "lim", "allowed rate", look_at, &allowed, o->hours);
    chart_series(&c, "s2", "baseline rate", look_at, &baseline, o->hours);
    chart_series(&c, "s1", "canary rate", look_at, &canary, o->hours);
    chart_end(&c);
}

/* ---- the document ------------------------------------------------------ */

void sim_html_begin(FILE *out, uint64_t devices, uint64_t seed)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\">\n"
          "<title>otaprio simulate</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em auto;max-width:60em;"
          "color:#222}\n"
          "table{border-collapse:collapse;margin:.5em 0}\n"
          "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}\n"
          "td.n{text-align:right}\n"
          "svg.chart{width:100%;height:auto;display:block;margin:1em 0}\n"
          ".head{font-size:13px;font-weight:bold}\n"
          ".tick{font-size:11px;fill:#555}\n"
          ".mark{font-size:10px;fill:#555}\n"
          ".grid{stroke:#eee}\n.axis{stroke:#888}\n"
          "path{fill:none;stroke-width:1.5}\n"
          ".s1{stroke:#1f77b4}\n.s2{stroke:#7f7f7f}\n.s3{stroke:#d62728}\n"
          ".lim{stroke:#d62728;stroke-dasharray:5 3}\n"
          ".wave{stroke:#2ca02c;stroke-dasharray:2 3}\n"
          ".exempt{stroke:#ff7f0e}\n.halt{stroke:#d62728;stroke-width:2}\n"
          "</style>\n</head>\n<body>\n<h1>otaprio simulate</h1>\n",
          out);
    fprintf(out,
            "<p>A synthetic fleet of %llu devices, seed %llu. The planner "
            "shapes each rollout; hour by hour the guardrails of the "
            "current wave judge the canary against the devices not yet "
            "updated and the simulator applies their answer.</p>\n",
            (unsigned long long)devices, (unsigned long long)seed);
}

static void plan_section(FILE *out, const otaprio_plan *plan)
{
    otaprio_plan_summary s = {.size = sizeof s};
    otaprio_plan_get_summary(plan, &s, NULL);
    fputs("<h3>Plan</h3>\n<p>", out);
    put_text(out, named(otaprio_tier_name(s.tier)));
    fprintf(out, " (score %.1f; ", s.score);
    put_text(out, named(otaprio_tier_name(s.tier_before)));
    fprintf(out,
            " before the fleet was seen), %u waves, %.0f hours to the broad "
            "wave. %llu devices: %llu affected, %llu planned.</p>\n",
            otaprio_plan_wave_count(plan), s.hours_to_broad,
            (unsigned long long)s.devices, (unsigned long long)s.affected,
            (unsigned long long)s.planned);
    fputs("<table class=\"waves\">\n<tr><th>wave</th><th>stage</th>"
          "<th>devices</th><th>soak (hours)</th><th>rollback ready</th>"
          "</tr>\n",
          out);
    for (uint32_t k = 0; k < otaprio_plan_wave_count(plan); k++) {
        otaprio_plan_wave w = {.size = sizeof w};
        otaprio_plan_get_wave(plan, k, &w, NULL);
        fprintf(out, "<tr><td class=\"n\">%u</td><td>", k);
        put_text(out, named(otaprio_plan_stage_name(w.stage)));
        fprintf(out,
                "</td><td class=\"n\">%llu</td><td class=\"n\">%.1f</td>"
                "<td>",
                (unsigned long long)w.devices, w.soak_hours);
        put_text(out, named(otaprio_rollback_tier_name(w.rollback_tier)));
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void timeline_section(FILE *out, const sim_outcome *o)
{
    fputs("<h3>Timeline</h3>\n<table class=\"timeline\">\n<tr><th>hour</th>"
          "<th>event</th><th>devices updated</th><th>why</th></tr>\n",
          out);
    for (uint32_t i = 0; i < o->event_count; i++) {
        const sim_event *e = &o->events[i];
        fprintf(out,
                "<tr><td class=\"n\">%u</td><td>%s %u %s</td>"
                "<td class=\"n\">%llu</td><td>",
                e->hour, e->kind == SIM_EVENT_EXEMPT ? "SKU" : "wave",
                e->subject, event_word(e->kind),
                (unsigned long long)e->updated);
        if (e->why != NULL)
            put_text(out, e->why);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void outcome_section(FILE *out, const sim_scenario *sc,
                            const sim_outcome *o)
{
    fputs("<h3>Outcome</h3>\n<ul class=\"outcome\">\n", out);
    char facts[SIM_FACTS][SIM_FACT_SIZE];
    size_t count = sim_outcome_facts(sc, o, facts);
    for (size_t i = 0; i < count; i++) {
        /* A sentence of its own: capitalised, with a full stop. */
        if (facts[i][0] >= 'a' && facts[i][0] <= 'z')
            facts[i][0] = (char)(facts[i][0] - 'a' + 'A');
        fputs("<li>", out);
        put_text(out, facts[i]);
        fputs(".</li>\n", out);
    }
    fputs("</ul>\n", out);
}

void sim_html_scenario(FILE *out, const sim_scenario *sc,
                       const otaprio_plan *plan, const sim_outcome *o)
{
    fputs("<section class=\"scenario\">\n<h2>", out);
    put_text(out, sc->name);
    fputs("</h2>\n<p>", out);
    put_text(out, sc->summary);
    fputs("</p>\n", out);
    plan_section(out, plan);
    timeline_section(out, o);
    outcome_section(out, sc, o);
    fputs("<h3>Charts</h3>\n", out);
    if (o->hours > 0) {
        updated_chart(out, plan, o);
        if (sc->exploited)
            exposed_chart(out, o);
        rule_chart(out, o, SIM_RULE_BOOT,
                   "Boot failures: canary and baseline since the window "
                   "began, against the guardrail");
        rule_chart(out, o, SIM_RULE_DRAIN,
                   "Heavy battery drain: canary and baseline since the "
                   "window began, against the guardrail");
    }
    fputs("</section>\n", out);
}

void sim_html_end(FILE *out)
{
    fputs("</body>\n</html>\n", out);
}
