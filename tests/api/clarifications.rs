//! Clarifications and announcements: a participant asks, the teacher
//! answers privately or to everyone and announces; nobody reads another
//! student's private question; pages show new answers without a reload.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::{ADMIN_TOKEN, TestApp, minutes_from_now};

async fn contest(app: &TestApp, public: bool) -> (String, String) {
    let contest = json!({
        "title": "Week 1", "starts_at": minutes_from_now(-10), "ends_at": minutes_from_now(60),
        "questions": ["sum"], "scoring": "ioi", "scoreboard": "participants", "public": public,
    });
    let (status, body) = app.put_contest("week-1", contest).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ann = app.add_participant("week-1", "ann").await;
    let bob = app.add_participant("week-1", "bob").await;
    (ann, bob)
}

fn sum_question() -> Value {
    json!({"slug": "sum", "title": "Sum of two numbers",
        "test_cases": [{"input": "1 2", "expected_output": "3"}]})
}

async fn read(app: &TestApp, token: Option<&str>) -> Vec<String> {
    let (status, list) = app
        .send(Method::GET, "/contests/week-1/clarifications", token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    (list.as_array().unwrap().iter())
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_question_is_answered_privately_or_to_everyone_and_announcements_reach_all() {
    let app = TestApp::spawn_with_question(sum_question(), &[]).await;
    let (ann, bob) = contest(&app, true).await;
    let ask = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/contests/week-1/clarifications",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (status, private) = ask(
        &ann,
        json!({"question": "sum", "text": "Negative numbers?"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{private}");
    assert_eq!(private["asked_by"], "ann");
    let (status, general) = ask(&bob, json!({"text": "Is Python 3.14 used?"})).await;
    assert_eq!(status, StatusCode::CREATED, "{general}");

    // Unanswered, each is its asker's alone.
    assert_eq!(read(&app, Some(&ann)).await, ["Negative numbers?"]);
    assert_eq!(read(&app, Some(&bob)).await, ["Is Python 3.14 used?"]);
    assert_eq!(read(&app, None).await, Vec::<String>::new());
    assert_eq!(read(&app, Some(ADMIN_TOKEN)).await.len(), 2);

    // Ann's answered to her alone, Bob's to everyone; an announcement.
    let answer = |id: &Value, body: Value| {
        let path = format!(
            "/admin/contests/week-1/clarifications/{}/answer",
            id.as_str().unwrap()
        );
        let app = &app;
        async move {
            app.send(Method::POST, &path, Some(ADMIN_TOKEN), Some(body))
                .await
        }
    };
    let (status, answered) = answer(&private["id"], json!({"answer": "No."})).await;
    assert_eq!(
        (status, &answered["answer"]),
        (StatusCode::OK, &json!("No.")),
        "{answered}"
    );
    let (status, answered) =
        answer(&general["id"], json!({"answer": "Yes.", "public": true})).await;
    assert_eq!(
        (status, &answered["public"]),
        (StatusCode::OK, &json!(true)),
        "{answered}"
    );
    let (status, announced) = app
        .send(
            Method::POST,
            "/admin/contests/week-1/announcements",
            Some(ADMIN_TOKEN),
            Some(json!({"text": "Test 3 was fixed."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{announced}");
    assert_eq!(
        read(&app, Some(&ann)).await,
        [
            "Test 3 was fixed.",
            "Is Python 3.14 used?",
            "Negative numbers?"
        ]
    );
    assert_eq!(
        read(&app, Some(&bob)).await,
        ["Test 3 was fixed.", "Is Python 3.14 used?"]
    );
    assert_eq!(
        read(&app, None).await,
        ["Test 3 was fixed.", "Is Python 3.14 used?"],
        "public contest"
    );

    // Refused: no text, a question not in the contest, unknown fields, an
    // admin asking, anonymous asking, an unknown clarification.
    let refused = [
        (
            Some(ann.as_str()),
            json!({"text": " "}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(ann.as_str()),
            json!({"text": "x".repeat(4001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(ann.as_str()),
            json!({"question": "nope", "text": "?"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(ann.as_str()),
            json!({"text": "?", "to": "all"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(ADMIN_TOKEN),
            json!({"text": "?"}),
            StatusCode::FORBIDDEN,
        ),
        (None, json!({"text": "?"}), StatusCode::UNAUTHORIZED),
    ];
    for (token, body, expected) in refused {
        let (status, answer) = app
            .send(
                Method::POST,
                "/contests/week-1/clarifications",
                token,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, expected, "{body}: {answer}");
    }
    let (status, _) = answer(
        &json!("00000000-0000-4000-8000-000000000000"),
        json!({"answer": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = answer(&announced["id"], json!({"answer": "x"})).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an announcement is not answered"
    );
    let (status, _) = app
        .send(
            Method::POST,
            "/admin/contests/week-1/announcements",
            Some(&ann),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_student_asks_from_the_question_page_and_another_sees_the_public_answer_live() {
    let app = TestApp::spawn_with_question(sum_question(), &[]).await;
    let (ann, bob) = contest(&app, false).await;
    let student = Browser::open(&app.address).await;
    student.visit(&format!("/ui/join/{ann}")).await;
    student.click("form[action^='/ui/join/'] button").await;
    student.wait_for_text("Sum of two numbers").await;
    student.visit("/ui/contests/week-1/questions/sum").await;
    student
        .find("form.ask textarea[name='text']")
        .await
        .send_keys("May the numbers be negative?")
        .await
        .unwrap();
    student.click("form.ask button").await;
    let page = student.wait_for_text("Not answered yet.").await;
    assert!(page.contains("May the numbers be negative?"), "{page}");

    // Bob has his page open; the teacher answers Ann to everyone.
    let other = Browser::open(&app.address).await;
    other.visit(&format!("/ui/join/{bob}")).await;
    other.click("form[action^='/ui/join/'] button").await;
    other.wait_for_text("Questions and announcements").await;
    let before = other.text().await;
    assert!(
        !before.contains("May the numbers"),
        "private until answered: {before}"
    );

    let teacher = Browser::open(&app.address).await;
    teacher.visit("/ui/signin").await;
    teacher.sign_in(ADMIN_TOKEN).await;
    teacher.visit("/ui/admin/contests/week-1").await;
    teacher.wait_for_text("1 to answer").await;
    teacher
        .find("form.answer-form textarea")
        .await
        .send_keys("Yes: between -1000 and 1000.")
        .await
        .unwrap();
    teacher.click("form.answer-form input[name='public']").await;
    teacher.click("form.answer-form button").await;
    teacher.wait_for_text("to everyone").await;
    teacher.screenshot("teacher-clarification-answered").await;
    teacher.close().await;

    // Without a reload, Bob's page shows it, counted as new.
    let live = other.wait_for_text("between -1000 and 1000").await;
    assert!(live.contains("May the numbers be negative?"), "{live}");
    let badge = other.text_of("[data-unread-for]").await;
    assert!(badge.contains("new"), "the unread count shows: {badge:?}");
    other.screenshot("student-clarification-answered").await;
    other.close().await;
    student.close().await;
}
