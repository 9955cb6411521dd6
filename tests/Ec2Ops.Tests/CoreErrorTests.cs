using Ec2Ops.Core;

namespace Ec2Ops.Tests;

public class CoreErrorTests
{
    [Fact]
    public void ExceptionCarriesIdCategoryAndTarget()
    {
        var ex = new Ec2OpsException("SomethingWrong", Ec2OpsErrorCategory.InvalidArgument, "bad", targetObject: 42)
        {
            RecommendedAction = "fix it",
        };

        Assert.Equal("SomethingWrong", ex.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidArgument, ex.Category);
        Assert.Equal(42, ex.TargetObject);
        Assert.Equal("bad", ex.Message);
        Assert.Equal("fix it", ex.RecommendedAction);
    }

    [Fact]
    public void ExceptionRejectsEmptyErrorId()
    {
        Assert.Throws<ArgumentException>(() => new Ec2OpsException("", Ec2OpsErrorCategory.NotSpecified, "x"));
    }

    [Fact]
    public void RecordingLogKeepsMessagesInOrder()
    {
        var log = new RecordingOperationLog();
        log.Verbose("a");
        log.Warning("b");
        log.Debug("c");

        Assert.Equal(new[] { ("Verbose", "a"), ("Warning", "b"), ("Debug", "c") }, log.Entries);
        Assert.Equal(new[] { "b" }, log.Warnings);
    }
}
