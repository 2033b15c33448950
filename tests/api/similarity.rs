//! The similarity report: near-copies planted among independent solutions
//! (renamed variables, reordered functions, added comments, another
//! layout) all rank above every pair of independent solutions, and the
//! teacher reads a pair side by side.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::{ADMIN_TOKEN, TestApp, minutes_from_now};

/// Three solutions, each with a disguised copy (the second of each pair).
const PLANTED: [(&str, &str); 3] = [
    (
        "def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n\ndef lcm(a, b):\n    return a * b // gcd(a, b)\n\nn = int(input())\nvalues = list(map(int, input().split()))\nresult = values[0]\nfor v in values[1:]:\n    result = lcm(result, v)\nprint(result)\n",
        "# least common multiple\ndef least(x, y):\n    return x * y // greatest(x, y)  # via gcd\n\ndef greatest(x, y):\n    # Euclid's algorithm\n    while y:\n        x, y = y, x % y\n    return x\n\ncount = int(input())\nnumbers = list(map(int, input().split()))\nanswer = numbers[0]\nfor number in numbers[1:]:\n    answer = least(answer, number)\nprint(answer)\n",
    ),
    (
        "n = int(input())\nxs = list(map(int, input().split()))\nbest = max(xs)\nm = best\nwhile True:\n    ok = True\n    for x in xs:\n        if m % x != 0:\n            ok = False\n            break\n    if ok:\n        break\n    m += best\nprint(m)\n",
        "n = int(input())\nitems = list(map(int, input().split()))\n\ntop = max(items)\ncandidate = top\nwhile True:\n    # does every item divide the candidate?\n    good = True\n    for it in items:\n        if candidate % it != 0:\n            good = False\n            break\n    if good:\n        break\n    candidate += top   # next multiple\nprint(candidate)\n",
    ),
    (
        "def factors(k):\n    found = {}\n    p = 2\n    while p * p <= k:\n        while k % p == 0:\n            found[p] = found.get(p, 0) + 1\n            k //= p\n        p += 1\n    if k > 1:\n        found[k] = found.get(k, 0) + 1\n    return found\n\nn = int(input())\npowers = {}\nfor x in map(int, input().split()):\n    for p, e in factors(x).items():\n        powers[p] = max(powers.get(p, 0), e)\nout = 1\nfor p, e in powers.items():\n    out *= p ** e\nprint(out)\n",
        "n = int(input())\n\ndef decompose(value):\n    res = {}\n    d = 2\n    while d * d <= value:\n        while value % d == 0:\n            res[d] = res.get(d, 0) + 1\n            value //= d\n        d += 1\n    if value > 1:\n        res[value] = res.get(value, 0) + 1\n    return res\n\nhighest = {}\nfor num in map(int, input().split()):\n    for d, exp in decompose(num).items():\n        highest[d] = max(highest.get(d, 0), exp)\ntotal = 1\nfor d, exp in highest.items():\n    total *= d ** exp\nprint(total)\n",
    ),
];

/// Solutions written independently.
const INDEPENDENT: [&str; 5] = [
    "import math\ninput()\nacc = 1\nfor t in input().split():\n    acc = math.lcm(acc, int(t))\nprint(acc)\n",
    "from functools import reduce\nfrom math import gcd\ninput()\nnums = [int(w) for w in input().split()]\nprint(reduce(lambda p, q: p * q // gcd(p, q), nums, 1))\n",
    "import sys\ndata = sys.stdin.read().split()\nk = int(data[0])\nr = 1\ni = 1\nwhile i <= k:\n    a = r\n    b = int(data[i])\n    g = a\n    h = b\n    while h:\n        g, h = h, g % h\n    r = a // g * b\n    i += 1\nprint(r)\n",
    "def solve(nums):\n    if len(nums) == 1:\n        return nums[0]\n    head = nums[0]\n    rest = solve(nums[1:])\n    small = min(head, rest)\n    while small > 1:\n        if head % small == 0 and rest % small == 0:\n            break\n        small -= 1\n    return head * rest // small\n\ninput()\nprint(solve([int(s) for s in input().split()]))\n",
    "n=int(input());a=[*map(int,input().split())]\nx=1\nfor y in a:\n  u,v=x,y\n  while v:u,v=v,u%v\n  x=x*y//u\nprint(x)\n",
];

#[tokio::test]
async fn planted_copies_rank_above_every_independent_pair_and_show_side_by_side() {
    let question = json!({
        "slug": "lcm", "title": "Least common multiple",
        "test_cases": [{"input": "3\n4 6 10", "expected_output": "60"}]
    });
    let app = TestApp::spawn_with_question(question, &[]).await;
    let contest = json!({
        "title": "Final", "starts_at": minutes_from_now(-30), "ends_at": minutes_from_now(30),
        "questions": ["lcm"], "scoring": "ioi", "scoreboard": "hidden"
    });
    let (status, body) = app.put_contest("final", contest).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let programs: Vec<&str> = (PLANTED.iter())
        .flat_map(|(original, copy)| [*original, *copy])
        .chain(INDEPENDENT)
        .collect();
    let mut users = Vec::new();
    for (n, code) in programs.iter().enumerate() {
        let user = format!("u{n}");
        let token = app.add_participant("final", &user).await;
        // An earlier, different try first: only the last one is compared.
        for code in ["print(0)", code] {
            let request = json!({"language": "python", "code": code, "question_id": "lcm"});
            let (status, body) = app.execute_as(Some(&token), request).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        users.push(user);
    }

    let path = "/admin/contests/final/questions/lcm/similarity?limit=200";
    let (status, report) = app.send(Method::GET, path, Some(ADMIN_TOKEN), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["submissions"], programs.len(), "{report}");
    let n = programs.len();
    assert_eq!(report["pairs_compared"], n * (n - 1) / 2, "{report}");
    let planted: Vec<(String, String)> = (0..PLANTED.len())
        .map(|i| (users[2 * i].clone(), users[2 * i + 1].clone()))
        .collect();
    let is_planted = |pair: &Value| {
        let (a, b) = (
            pair["a"]["user_id"].as_str().unwrap(),
            pair["b"]["user_id"].as_str().unwrap(),
        );
        (planted.iter()).any(|(x, y)| (a, b) == (x, y) || (b, a) == (x, y))
    };
    let pairs = report["pairs"].as_array().unwrap();
    let ranks: Vec<bool> = pairs.iter().map(is_planted).collect();
    assert_eq!(
        ranks[..3],
        [true, true, true],
        "every planted pair first: {report:#}"
    );
    assert!(!ranks[3..].contains(&true), "{report:#}");
    let lowest_planted = pairs[2]["similarity"].as_f64().unwrap();
    let highest_other = pairs
        .get(3)
        .map_or(0.0, |p| p["similarity"].as_f64().unwrap());
    assert!(
        lowest_planted > 2.0 * highest_other,
        "planted {lowest_planted}% against {highest_other}%"
    );

    // Bad requests.
    for (path, expected) in [
        (
            "/admin/contests/final/questions/nope/similarity",
            StatusCode::NOT_FOUND,
        ),
        (
            "/admin/contests/nope/questions/lcm/similarity",
            StatusCode::NOT_FOUND,
        ),
        (
            "/admin/contests/final/questions/lcm/similarity?limit=0",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, body) = app.send(Method::GET, path, Some(ADMIN_TOKEN), None).await;
        assert_eq!(status, expected, "{path}: {body}");
    }

    // The teacher's pages: the report, and the first pair side by side.
    let browser = Browser::open(&app.address).await;
    browser.visit("/ui/signin").await;
    browser.sign_in(ADMIN_TOKEN).await;
    browser
        .visit("/ui/admin/contests/final/similarity/lcm")
        .await;
    browser.wait_for_text("pairs compared").await;
    browser.screenshot("teacher-similarity").await;
    browser.click("table.similarity a").await;
    let side_by_side = browser.wait_for_text("% alike").await;
    assert!(side_by_side.contains("matched"), "{side_by_side}");
    let marked = browser.text_of("pre.compare mark").await;
    assert!(!marked.is_empty(), "matching regions are highlighted");
    browser.screenshot("teacher-similarity-side-by-side").await;
    browser.close().await;
}
