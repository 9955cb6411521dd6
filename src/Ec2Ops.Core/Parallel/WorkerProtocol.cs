using System.Globalization;
using System.Text;

namespace Ec2Ops.Core.Parallelism;

/// <summary>
/// The line protocol between the pool and a worker process: one message per line, UTF-8,
/// <c>verb TAB id TAB payload</c>, the payload escaped so that it holds no line break or tab
/// (<c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>). Payloads are opaque to the pool (CLIXML for pwsh workers).
/// </summary>
/// <remarks>
/// Pool to worker: <c>init 0 setup</c>, then <c>run id input</c> per item, and <c>quit</c>.
/// Worker to pool: <c>ready pid</c> or <c>initfail 0 message</c>; per item any number of
/// <c>out id value</c> and <c>stream id record</c>, then exactly one <c>done id</c> or <c>fail id error</c>.
/// A line that is not a message (a stray host write) is kept as diagnostics, never fatal.
/// </remarks>
public static class WorkerProtocol
{
    public const string Init = "init";
    public const string Run = "run";
    public const string Quit = "quit";
    public const string Ready = "ready";
    public const string InitFail = "initfail";
    public const string Out = "out";
    public const string Stream = "stream";
    public const string Done = "done";
    public const string Fail = "fail";

    private static readonly HashSet<string> Verbs = new(StringComparer.Ordinal) { Init, Run, Quit, Ready, InitFail, Out, Stream, Done, Fail };

    public static string Format(string verb, long id = 0, string? payload = null)
    {
        var line = new StringBuilder(verb.Length + 24 + (payload?.Length ?? 0));
        line.Append(verb).Append('\t').Append(id.ToString(CultureInfo.InvariantCulture)).Append('\t');
        if (payload is not null)
        {
            AppendEscaped(line, payload);
        }

        return line.ToString();
    }

    public static bool TryParse(string? line, out string verb, out long id, out string payload)
    {
        verb = "";
        id = 0;
        payload = "";
        if (line is null)
        {
            return false;
        }

        int first = line.IndexOf('\t');
        if (first <= 0)
        {
            return false;
        }

        int second = line.IndexOf('\t', first + 1);
        if (second < 0)
        {
            return false;
        }

        string candidate = line[..first];
        if (!Verbs.Contains(candidate) || !long.TryParse(line.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out id))
        {
            return false;
        }

        verb = candidate;
        payload = Unescape(line.AsSpan(second + 1));
        return true;
    }

    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        AppendEscaped(builder, text);
        return builder.ToString();
    }

    public static string Unescape(ReadOnlySpan<char> text)
    {
        if (text.IndexOf('\\') < 0)
        {
            return text.ToString();
        }

        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                builder.Append(c);
                continue;
            }

            char next = text[++i];
            builder.Append(next switch
            {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => next,
            });
        }

        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, string text)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default: builder.Append(c); break;
            }
        }
    }
}
