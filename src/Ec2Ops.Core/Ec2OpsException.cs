namespace Ec2Ops.Core;

/// <summary>
/// What kind of failure an <see cref="Ec2OpsException"/> is. The member names are exactly those of
/// PowerShell's <c>ErrorCategory</c>, so the cmdlet layer maps one to the other by name and Core
/// never references System.Management.Automation.
/// </summary>
public enum Ec2OpsErrorCategory
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidResult,
    InvalidType,
    ObjectNotFound,
    ConnectionError,
    OperationTimeout,
    OperationStopped,
    PermissionDenied,
    AuthenticationError,
    SecurityError,
    ResourceUnavailable,
    LimitsExceeded,
    NotImplemented,
    NotEnabled,
    ParserError,
    ProtocolError,
    SyntaxError,
    ReadError,
}

/// <summary>
/// The one exception type Core throws for anything a user can cause or must know about.
/// <see cref="ErrorId"/> becomes the ErrorRecord's FullyQualifiedErrorId, so it is stable and
/// specific (e.g. <c>ImdsPathNotFound</c>, <c>NmfNegativeValue</c>).
/// </summary>
public class Ec2OpsException : Exception
{
    public Ec2OpsException(
        string errorId,
        Ec2OpsErrorCategory category,
        string message,
        object? targetObject = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorId);
        ErrorId = errorId;
        Category = category;
        TargetObject = targetObject;
    }

    public string ErrorId { get; }

    public Ec2OpsErrorCategory Category { get; }

    /// <summary>The input the error is about (a path, a row, a value); becomes the ErrorRecord's TargetObject.</summary>
    public object? TargetObject { get; }

    /// <summary>What the user can do about it; shown as the ErrorRecord's RecommendedAction.</summary>
    public string? RecommendedAction { get; init; }
}
