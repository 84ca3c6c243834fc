"""The strategy's own text on the platform (issue #20).

* `editions`: reading editions (the current one is the one published last), drafting the
  next one in the browser, explaining each change, publishing.
* `importer`: the JSON file format of docs/strategy-format.md, checked whole before
  anything is stored.
* `compare`: paragraph-by-paragraph comparison of two editions with a redline.
* `notify`: "you said, we did" emails to the contributors of the views a change cites.
* `sample`: the sample edition built from the taxonomy's official titles.
"""
