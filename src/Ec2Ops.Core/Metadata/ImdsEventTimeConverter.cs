using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ec2Ops.Core.Metadata;

/// <summary>
/// Scheduled-event times come as "21 Jan 2019 09:00:43 GMT", not ISO 8601; both are accepted.
/// </summary>
internal sealed class ImdsEventTimeConverter : JsonConverter<DateTimeOffset?>
{
    private static readonly string[] Formats = { "d MMM yyyy HH:mm:ss 'GMT'", "dd MMM yyyy HH:mm:ss 'GMT'", "o", "yyyy-MM-dd'T'HH:mm:ssK" };

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(text.Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out parsed)
            ? parsed
            : throw new JsonException($"'{text}' is not a date IMDS uses.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value.Value.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture));
        }
    }
}
