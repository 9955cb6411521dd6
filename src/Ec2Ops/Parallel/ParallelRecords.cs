using System.Collections;
using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Commands;

/// <summary>
/// Turns what workers report into PowerShell records: item failures into ErrorRecords tied to their
/// input, and (for worker processes) stream records to and from CLIXML, as remoting carries them.
/// </summary>
internal static class ParallelRecords
{
    /// <summary>The ErrorRecord of an item that did not complete; its input is the TargetObject.</summary>
    public static ErrorRecord ToErrorRecord(ParallelItemResult result)
    {
        var input = result.Item.Input;
        var error = result.Error ?? new InvalidOperationException($"Input {result.Item.Describe()} did not complete.");
        if (result.ErrorId != ParallelErrorIds.ItemFailed)
        {
            var category = Enum.TryParse<ErrorCategory>(result.Category.ToString(), out var parsed) ? parsed : ErrorCategory.NotSpecified;
            return new ErrorRecord(error, result.ErrorId ?? ParallelErrorIds.ItemFailed, category, input);
        }

        Exception exception = error;
        var itemCategory = ErrorCategory.NotSpecified;
        string? position = null;
        if (error is ParallelRemoteException remote)
        {
            (exception, itemCategory, position) = DecodeFailure(remote.Payload);
        }
        else if (error is IContainsErrorRecord { ErrorRecord: { } inner })
        {
            itemCategory = inner.CategoryInfo.Category;
            position = inner.InvocationInfo?.PositionMessage;
        }

        // Where in the script block it failed, under the message, as PowerShell shows a script's error.
        string where = position is { Length: > 0 } ? Environment.NewLine + position.Trim() : string.Empty;
        return new ErrorRecord(exception, ParallelErrorIds.ItemFailed, itemCategory, input)
        {
            ErrorDetails = new ErrorDetails($"Input {result.Item.Describe()} failed: {exception.Message}{where}"),
        };
    }

    /// <summary>A record of a running item's error stream: kept as written, with the input as target when it has none.</summary>
    public static ErrorRecord AttachInput(ErrorRecord record, ParallelItem item)
    {
        if (record.TargetObject is not null)
        {
            return record;
        }

        return new ErrorRecord(record.Exception, record.FullyQualifiedErrorId, record.CategoryInfo.Category, item.Input)
        {
            ErrorDetails = record.ErrorDetails,
        };
    }

    /// <summary>A worker process encodes a stream record for the <c>stream</c> message.</summary>
    public static string EncodeStream(object record)
    {
        var bag = new Hashtable();
        switch (record)
        {
            case ErrorRecord error:
                bag["Kind"] = "Error";
                bag["Message"] = error.Exception?.Message ?? error.ToString();
                bag["ErrorId"] = error.FullyQualifiedErrorId;
                bag["Category"] = error.CategoryInfo.Category.ToString();
                bag["TargetObject"] = error.TargetObject;
                bag["Details"] = error.ErrorDetails?.Message;
                break;
            case WarningRecord warning:
                bag["Kind"] = "Warning";
                bag["Message"] = warning.Message;
                break;
            case VerboseRecord verbose:
                bag["Kind"] = "Verbose";
                bag["Message"] = verbose.Message;
                break;
            case DebugRecord debug:
                bag["Kind"] = "Debug";
                bag["Message"] = debug.Message;
                break;
            case InformationRecord information:
                bag["Kind"] = "Information";
                bag["Source"] = information.Source;
                bag["Tags"] = information.Tags.ToArray();
                if (information.MessageData is HostInformationMessage host)
                {
                    bag["HostMessage"] = host.Message;
                    bag["NoNewLine"] = host.NoNewLine == true;
                    bag["ForegroundColor"] = host.ForegroundColor?.ToString();
                    bag["BackgroundColor"] = host.BackgroundColor?.ToString();
                }
                else
                {
                    bag["MessageData"] = information.MessageData;
                }

                break;
            case ProgressRecord progress:
                bag["Kind"] = "Progress";
                bag["ActivityId"] = progress.ActivityId;
                bag["ParentActivityId"] = progress.ParentActivityId;
                bag["Activity"] = progress.Activity;
                bag["StatusDescription"] = progress.StatusDescription;
                bag["CurrentOperation"] = progress.CurrentOperation;
                bag["PercentComplete"] = progress.PercentComplete;
                bag["SecondsRemaining"] = progress.SecondsRemaining;
                bag["RecordType"] = progress.RecordType.ToString();
                break;
            default:
                bag["Kind"] = "Verbose";
                bag["Message"] = record.ToString();
                break;
        }

        return PSSerializer.Serialize(bag);
    }

    /// <summary>The parent decodes a <c>stream</c> message back into the record it was.</summary>
    public static object DecodeStream(string payload)
    {
        var bag = AsDictionary(PSSerializer.Deserialize(payload));
        string Text(string key) => bag[key]?.ToString() ?? "";
        switch (Text("Kind"))
        {
            case "Error":
                var category = Enum.TryParse<ErrorCategory>(Text("Category"), out var parsed) ? parsed : ErrorCategory.NotSpecified;
                var record = new ErrorRecord(new RemoteException(Text("Message")), Text("ErrorId"), category, Unwrap(bag["TargetObject"]));
                if (bag["Details"] is { } details && details.ToString() is { Length: > 0 } detailText)
                {
                    record.ErrorDetails = new ErrorDetails(detailText);
                }

                return record;
            case "Warning":
                return new WarningRecord(Text("Message"));
            case "Debug":
                return new DebugRecord(Text("Message"));
            case "Information":
                object? data;
                if (bag["HostMessage"] is { } hostMessage)
                {
                    var host = new HostInformationMessage { Message = hostMessage.ToString()!, NoNewLine = bag["NoNewLine"] is true };
                    if (Enum.TryParse<ConsoleColor>(Text("ForegroundColor"), out var fore))
                    {
                        host.ForegroundColor = fore;
                    }

                    if (Enum.TryParse<ConsoleColor>(Text("BackgroundColor"), out var back))
                    {
                        host.BackgroundColor = back;
                    }

                    data = host;
                }
                else
                {
                    data = Unwrap(bag["MessageData"]);
                }

                var information = new InformationRecord(data, Text("Source"));
                foreach (var tag in bag["Tags"] is IEnumerable tags and not string ? tags.Cast<object>() : Array.Empty<object>())
                {
                    information.Tags.Add(tag?.ToString() ?? "");
                }

                return information;
            case "Progress":
                var progress = new ProgressRecord(Convert.ToInt32(Unwrap(bag["ActivityId"])), Text("Activity") is { Length: > 0 } a ? a : " ", Text("StatusDescription") is { Length: > 0 } s ? s : " ")
                {
                    ParentActivityId = Convert.ToInt32(Unwrap(bag["ParentActivityId"])),
                    CurrentOperation = bag["CurrentOperation"]?.ToString(),
                    PercentComplete = Convert.ToInt32(Unwrap(bag["PercentComplete"])),
                    SecondsRemaining = Convert.ToInt32(Unwrap(bag["SecondsRemaining"])),
                    RecordType = Enum.TryParse<ProgressRecordType>(Text("RecordType"), out var type) ? type : ProgressRecordType.Processing,
                };
                return progress;
            default:
                return new VerboseRecord(Text("Message"));
        }
    }

    /// <summary>A worker process encodes an item's failure for the <c>fail</c> message.</summary>
    public static string EncodeFailure(Exception error)
    {
        var inner = (error as IContainsErrorRecord)?.ErrorRecord;
        var bag = new Hashtable
        {
            ["Message"] = error.Message,
            ["ExceptionType"] = (inner?.Exception ?? error).GetType().FullName,
            ["Category"] = (inner?.CategoryInfo.Category ?? ErrorCategory.NotSpecified).ToString(),
            ["ErrorId"] = inner?.FullyQualifiedErrorId,
            ["Position"] = inner?.InvocationInfo?.PositionMessage,
            ["ScriptStackTrace"] = inner?.ScriptStackTrace,
        };
        return PSSerializer.Serialize(bag);
    }

    private static (Exception Exception, ErrorCategory Category, string? Position) DecodeFailure(string payload)
    {
        try
        {
            var bag = AsDictionary(PSSerializer.Deserialize(payload));
            var category = Enum.TryParse<ErrorCategory>(bag["Category"]?.ToString(), out var parsed) ? parsed : ErrorCategory.NotSpecified;
            return (new RemoteException(bag["Message"]?.ToString() ?? "The script block failed."), category, bag["Position"]?.ToString());
        }
        catch (Exception error) when (error is System.Xml.XmlException or InvalidOperationException or ArgumentException)
        {
            return (new RemoteException(payload), ErrorCategory.NotSpecified, null);
        }
    }

    private static IDictionary AsDictionary(object? value)
    {
        var source = value switch
        {
            IDictionary dictionary => dictionary,
            PSObject { BaseObject: IDictionary dictionary } => dictionary,
            _ => new Hashtable(),
        };

        // Deserialized collections come wrapped in PSObjects; the bag's own values are read bare.
        var bare = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in source)
        {
            bare[entry.Key] = entry.Value is PSObject { BaseObject: IEnumerable and not string } wrapped ? wrapped.BaseObject : entry.Value;
        }

        return bare;
    }

    private static object? Unwrap(object? value) => value is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : value;
}
