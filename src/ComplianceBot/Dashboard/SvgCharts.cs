using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using ComplianceBot.ProgramStatus;
using Microsoft.AspNetCore.Html;

namespace ComplianceBot.Dashboard;

/// <summary>
/// Inline SVG charts for the dashboard, written by hand: a handful of stacked bars needs no chart library, and inline SVG
/// renders offline under a CSP without scripts. Every label is HTML-encoded.
/// </summary>
public static class SvgCharts
{
    /// <summary>The outcome segments in the order they are drawn, with their colours (also the legend).</summary>
    public static readonly (string Name, string Colour, Func<OccurrenceCounts, int> Value)[] Segments =
    [
        ("Performed", "#2e7d32", c => c.Performed),
        ("With exceptions", "#f9a825", c => c.PerformedWithExceptions),
        ("Not performed", "#c62828", c => c.NotPerformed),
        ("Missed", "#6a1b1b", c => c.Missed),
        ("Open", "#b0bec5", c => c.Open),
    ];

    private const int Width = 720;
    private const int RowHeight = 24;

    /// <summary>One horizontal bar per row, split by outcome, scaled to the largest row; the count and % performed on the right.</summary>
    public static IHtmlContent StackedBars(string title, IReadOnlyList<(string Label, OccurrenceCounts Counts)> rows, int labelWidth = 160)
    {
        var enc = HtmlEncoder.Default;
        var barWidth = Width - labelWidth - 120;
        var max = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Counts.Expected));
        var height = (rows.Count * RowHeight) + 34;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{enc.Encode(title)}\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" class=\"chart\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, counts) = rows[i];
            var y = i * RowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 16}\" text-anchor=\"end\" font-size=\"12\">{enc.Encode(label)}</text>");
            double x = labelWidth;
            foreach (var (name, colour, value) in Segments)
            {
                var n = value(counts);
                if (n == 0)
                {
                    continue;
                }

                var w = barWidth * (double)n / max;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.##}\" y=\"{y + 4}\" width=\"{w:0.##}\" height=\"{RowHeight - 8}\" fill=\"{colour}\"><title>{enc.Encode(label)}: {n} {enc.Encode(name.ToLowerInvariant())}</title></rect>");
                x += w;
            }

            var percent = counts.PercentDone is { } p ? $"{p}%" : "n/a";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + barWidth + 8}\" y=\"{y + 16}\" font-size=\"12\">{counts.Done}/{counts.Expected} · {percent}</text>");
        }

        var legendY = (rows.Count * RowHeight) + 14;
        var lx = labelWidth;
        foreach (var (name, colour, _) in Segments)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{legendY}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{lx + 16}\" y=\"{legendY + 11}\" font-size=\"11\">{name}</text>");
            lx += 110;
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>Simple progress bar (decided of total) for access reviews.</summary>
    public static IHtmlContent Progress(int done, int total, string label)
    {
        var share = total == 0 ? 0 : (double)done / total;
        var text = HtmlEncoder.Default.Encode($"{label}: {done} of {total} decided");
        return new HtmlString(string.Create(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{text}\" viewBox=\"0 0 200 14\" width=\"200\" height=\"14\"><rect width=\"200\" height=\"14\" fill=\"#eceff1\"/><rect width=\"{200 * share:0.##}\" height=\"14\" fill=\"#1565c0\"/><title>{text}</title></svg>"));
    }

    /// <summary>Horizontal bars of hours (change requests waiting), scaled to the longest.</summary>
    public static IHtmlContent Hours(string title, IReadOnlyList<(string Label, double Hours)> rows)
    {
        var enc = HtmlEncoder.Default;
        const int labelWidth = 220;
        var barWidth = Width - labelWidth - 90;
        var max = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Hours));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{enc.Encode(title)}\" viewBox=\"0 0 {Width} {Math.Max(1, rows.Count) * RowHeight}\" width=\"100%\" class=\"chart\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, hours) = rows[i];
            var y = i * RowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 16}\" text-anchor=\"end\" font-size=\"12\">{enc.Encode(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{barWidth * hours / max:0.##}\" height=\"{RowHeight - 8}\" fill=\"{(hours > 48 ? "#c62828" : "#1565c0")}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + (barWidth * hours / max) + 6:0.##}\" y=\"{y + 16}\" font-size=\"12\">{hours:0.#} h</text>");
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }
}
