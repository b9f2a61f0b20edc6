using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AccessReviewDeferredFollowUps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "FollowUpDue",
                table: "AccessReviews",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DeferredAtSignOff",
                table: "AccessReviewItems",
                type: "bit",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FollowUpDue",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "DeferredAtSignOff",
                table: "AccessReviewItems");
        }
    }
}
