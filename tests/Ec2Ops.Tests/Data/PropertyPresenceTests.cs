using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Tests.Data;

public class PropertyPresenceTests
{
    private static KeyValuePair<string, object?>[] Row(params string[] names) =>
        names.Select(n => new KeyValuePair<string, object?>(n, 1)).ToArray();

    [Fact]
    public void NamesAMistypedPropertyTheInputsItHasAndTheCloseOnes()
    {
        var presence = new PropertyPresence(new[] { "WorkingSett", "CPU" });
        presence.Observe(Row("Id", "CPU", "WorkingSet", "WorkingSet64"));
        presence.Observe(Row("Id", "Name"));

        var error = Assert.Single(presence.MissingErrors());
        Assert.Equal("PropertyNotFound", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidArgument, error.Category);
        Assert.Equal("WorkingSett", error.TargetObject);
        Assert.Equal(
            "No input object has a property 'WorkingSett' (-Property); they have: Id, CPU, WorkingSet, WorkingSet64, Name. Did you mean 'WorkingSet' or 'WorkingSet64'?",
            error.Message);
        Assert.True(presence.IsMissing("workingsett"));
        Assert.False(presence.IsMissing("cpu"));
    }

    [Fact]
    public void APropertyOnlySomeObjectsHaveIsNotAnError()
    {
        var presence = new PropertyPresence(new[] { "Zone" });
        presence.Observe(Row("Id"));
        presence.Observe(Row("Id", "zone"));
        Assert.Empty(presence.MissingErrors());
    }

    [Fact]
    public void WithoutObjectsThereIsNothingToJudgeAgainst()
    {
        Assert.Empty(new PropertyPresence(new[] { "X" }).MissingErrors());
        Assert.Empty(new PropertyPresence(null).MissingErrors());
    }

    [Fact]
    public void NoHintWhenNothingIsClose()
    {
        var presence = new PropertyPresence(new[] { "Temperature" });
        presence.Observe(Row("Id", "Name"));
        Assert.EndsWith("they have: Id, Name.", Assert.Single(presence.MissingErrors()).Message);
    }

    [Fact]
    public void NullSafeEqualityTracksTheComparedRecords()
    {
        var equality = new NullSafeEquality(new NotDistinctOptions { Properties = new[] { "Nmae" } }, ClrDataObjectModel.Instance);
        equality.Test(new Dictionary<string, object?> { ["Name"] = "a" }, new Dictionary<string, object?> { ["Name"] = "b" });
        var error = Assert.Single(equality.Presence.MissingErrors());
        Assert.Contains("'Nmae'", error.Message);
        Assert.Contains("Did you mean 'Name'?", error.Message);
    }
}

public class PropertyReadTests
{
    public sealed class Flaky
    {
        public int A => 1;

        public int B => throw new InvalidOperationException("boom");
    }

    [Fact]
    public void AGetterThatThrowsIsAnErrorNamingThePropertyAndTheItem()
    {
        var error = Assert.Throws<Ec2OpsException>(() => DataObjects.CheckReadable(ClrDataObjectModel.Instance, new Flaky(), new[] { "a", "b" }, 3));

        Assert.Equal("DataPropertyUnreadable", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ReadError, error.Category);
        Assert.Equal("b", error.TargetObject);
        Assert.Equal("Input object 3 (Flaky): reading its property 'b' failed (boom); the object is left out rather than read as NULL.", error.Message);
    }

    [Fact]
    public void ReadablePropertiesAndAbsentOnesPass()
    {
        DataObjects.CheckReadable(ClrDataObjectModel.Instance, new Flaky(), new[] { "A", "Missing" }, 0);
        DataObjects.CheckReadable(ClrDataObjectModel.Instance, new Dictionary<string, object?> { ["B"] = 1 }, new[] { "B" }, 0);
    }
}
