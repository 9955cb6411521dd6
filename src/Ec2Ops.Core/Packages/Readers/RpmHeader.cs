using System.Buffers.Binary;
using System.Text;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>A header blob that is not a valid rpm header: named so the warning can say what is wrong.</summary>
internal sealed class RpmHeaderException(string message) : Exception(message);

/// <summary>
/// An rpm header as the rpmdb stores it, read without librpm: optionally the 8-byte header magic
/// (<c>8E AD E8 01</c> and four reserved bytes), then the index count and the data length (32-bit
/// big-endian), the index entries (tag, type, offset, count: four 32-bit big-endian numbers each)
/// and the data store they point into. Strings are NUL-terminated UTF-8; I18NSTRING is a list of
/// strings, the first for the C locale.
/// </summary>
internal sealed class RpmHeader
{
    public const int TagName = 1000;
    public const int TagVersion = 1001;
    public const int TagRelease = 1002;
    public const int TagEpoch = 1003;
    public const int TagSummary = 1004;
    public const int TagArch = 1022;

    // Header entry types (rpmTagType).
    private const int TypeInt32 = 4;
    private const int TypeString = 6;
    private const int TypeStringArray = 8;
    private const int TypeI18nString = 9;

    private static readonly byte[] Magic = { 0x8E, 0xAD, 0xE8, 0x01 };

    // rpm's own limits (hdrchkTags, hdrchkData): anything beyond is corruption.
    private const int MaxEntries = 0x0000FFFF;
    private const int MaxData = 0x0FFFFFFF;

    private readonly Dictionary<int, (int Type, int Offset, int Count)> _entries;
    private readonly ReadOnlyMemory<byte> _data;

    private RpmHeader(Dictionary<int, (int Type, int Offset, int Count)> entries, ReadOnlyMemory<byte> data)
    {
        _entries = entries;
        _data = data;
    }

    public static RpmHeader Parse(ReadOnlyMemory<byte> blob)
    {
        var span = blob.Span;
        var start = span.Length >= 8 && span[..4].SequenceEqual(Magic) ? 8 : 0;
        if (span.Length - start < 8)
        {
            throw new RpmHeaderException($"the header is {span.Length} bytes, too short for its index and data lengths");
        }

        var indexCount = BinaryPrimitives.ReadInt32BigEndian(span[start..]);
        var dataLength = BinaryPrimitives.ReadInt32BigEndian(span[(start + 4)..]);
        if (indexCount <= 0 || indexCount > MaxEntries || dataLength < 0 || dataLength > MaxData)
        {
            throw new RpmHeaderException($"the header claims {indexCount} index entries and {dataLength} data bytes");
        }

        var indexStart = start + 8;
        var dataStart = indexStart + (16 * indexCount);
        if ((long)dataStart + dataLength > span.Length)
        {
            throw new RpmHeaderException($"the header is {span.Length} bytes but its index and data need {dataStart + (long)dataLength} (truncated)");
        }

        var entries = new Dictionary<int, (int, int, int)>(indexCount);
        for (var i = 0; i < indexCount; i++)
        {
            var entry = span.Slice(indexStart + (16 * i), 16);
            var tag = BinaryPrimitives.ReadInt32BigEndian(entry);
            var type = BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
            var count = BinaryPrimitives.ReadInt32BigEndian(entry[12..]);
            if (offset < 0 || offset >= dataLength || count <= 0)
            {
                if (tag is TagName or TagVersion or TagRelease or TagEpoch or TagArch or TagSummary)
                {
                    throw new RpmHeaderException($"tag {tag} points outside the data store (offset {offset}, count {count})");
                }

                continue; // region tags and the like: not ours to check
            }

            entries.TryAdd(tag, (type, offset, count));
        }

        return new RpmHeader(entries, blob.Slice(dataStart, dataLength));
    }

    /// <summary>A string tag (STRING, or the first of a STRING_ARRAY/I18NSTRING), or null when absent.</summary>
    public string? GetString(int tag)
    {
        if (!_entries.TryGetValue(tag, out var entry))
        {
            return null;
        }

        if (entry.Type is not (TypeString or TypeStringArray or TypeI18nString))
        {
            throw new RpmHeaderException($"tag {tag} has type {entry.Type}, not a string");
        }

        var data = _data.Span[entry.Offset..];
        var end = data.IndexOf((byte)0);
        if (end < 0)
        {
            throw new RpmHeaderException($"the string of tag {tag} is not terminated (truncated)");
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data[..end]);
        }
        catch (DecoderFallbackException)
        {
            throw new RpmHeaderException($"the string of tag {tag} is not valid UTF-8");
        }
    }

    /// <summary>An INT32 tag, or null when absent.</summary>
    public int? GetInt32(int tag)
    {
        if (!_entries.TryGetValue(tag, out var entry))
        {
            return null;
        }

        if (entry.Type != TypeInt32 || entry.Offset + 4 > _data.Length)
        {
            throw new RpmHeaderException($"tag {tag} is not a 32-bit integer inside the data store");
        }

        return BinaryPrimitives.ReadInt32BigEndian(_data.Span[entry.Offset..]);
    }
}
