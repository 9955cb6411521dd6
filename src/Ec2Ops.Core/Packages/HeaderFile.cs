using System.Text;

namespace Ec2Ops.Core.Packages;

/// <summary>
/// Reads the few header fields wanted from an RFC 822-style metadata file (Python's METADATA and
/// PKG-INFO): only up to the first blank line, and only until every wanted field has been seen, so
/// a METADATA with a long description costs one small read. Continuation lines (starting with a
/// space or tab) extend the field before them. Field names compare case-insensitively.
/// </summary>
internal static class HeaderFile
{
    private const int ChunkSize = 4096;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The outcome of one read: the values (null where absent) or why the file could not be read.</summary>
    public readonly record struct Result(string?[] Values, string? Error, IReadOnlyList<string> EncodingProblems, bool Missing = false);

    public static Result Read(string path, string[] wanted)
    {
        var values = new string?[wanted.Length];
        var problems = new List<string>();
        byte[] buffer;
        int length;
        try
        {
            // A raw handle and positional reads: no FileStream, no buffering layer, few system calls.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long offset = 0;
            buffer = new byte[ChunkSize];
            length = 0;
            var start = 0;
            var found = 0;
            var current = -1;
            var lineNumber = 0;
            var atEnd = false;
            while (true)
            {
                // Find the next complete line; read more when the buffer holds none.
                var newline = Array.IndexOf(buffer, (byte)'\n', start, length - start);
                if (newline < 0 && !atEnd)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, length - start);
                        length -= start;
                        start = 0;
                    }

                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    var read = RandomAccess.Read(handle, buffer.AsSpan(length), offset);
                    offset += read;
                    atEnd = read == 0;
                    length += read;
                    continue;
                }

                var end = newline < 0 ? length : newline;
                if (end == start && atEnd)
                {
                    break; // end of file
                }

                lineNumber++;
                var line = new ReadOnlySpan<byte>(buffer, start, end - start);
                start = newline < 0 ? length : newline + 1;
                if (lineNumber == 1 && line.StartsWith("\uFEFF"u8))
                {
                    line = line[3..];
                }

                if (line.Length > 0 && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                if (line.IsEmpty)
                {
                    break; // end of the headers
                }

                if (line[0] is (byte)' ' or (byte)'\t')
                {
                    if (current >= 0 && TryDecode(line, out var more, problems, wanted[current], lineNumber))
                    {
                        values[current] = (values[current] + " " + more.Trim()).Trim();
                    }

                    continue;
                }

                if (current >= 0 && found == wanted.Length)
                {
                    break; // every wanted field and its continuation lines are in
                }

                current = -1;
                var colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon];
                for (var i = 0; i < wanted.Length; i++)
                {
                    if (values[i] is null && Ascii.EqualsIgnoreCase(name, wanted[i]))
                    {
                        if (TryDecode(line[(colon + 1)..], out var value, problems, wanted[i], lineNumber))
                        {
                            values[i] = value.Trim();
                        }
                        else
                        {
                            values[i] = Encoding.UTF8.GetString(line[(colon + 1)..]).Trim();
                        }

                        current = i;
                        found++;
                        break;
                    }
                }

                if (newline < 0)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Result(values, "does not exist", problems, Missing: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Result(values, $"cannot be read ({Folders.Reason(e)})", problems);
        }

        return new Result(values, null, problems);
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text, List<string> problems, string field, int lineNumber)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            problems.Add($"the {field} header (line {lineNumber}) is not valid UTF-8");
            text = string.Empty;
            return false;
        }
    }
}
